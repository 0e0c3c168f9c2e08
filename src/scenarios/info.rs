//! What a scenario says about itself: name, lesson, explanation, parameters, and its
//! versions, each with its own what-to-watch text and the parameters it uses. Words and
//! numbers only: nothing here runs a scenario.

/// A contrasting version of a scenario (with or without the lock, join or not...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variant {
    pub name: &'static str,
    /// Shown in the footer and status line: "with lock".
    pub label: &'static str,
    /// What to watch in this version, shown after the scenario's own explanation (None: the
    /// scenario's explanation says all there is).
    pub explain: Option<&'static str>,
    /// The parameters this version uses (None: all of the scenario's). The others are not
    /// shown while it runs.
    pub params: Option<&'static [&'static str]>,
}

/// `variant("with-lock", "with lock")`: a version's name and its label.
pub const fn variant(name: &'static str, label: &'static str) -> Variant {
    Variant {
        name,
        label,
        explain: None,
        params: None,
    }
}

impl Variant {
    /// `variant(..).explain("Watch ...")`: this version's own what-to-watch text.
    pub const fn explain(mut self, text: &'static str) -> Variant {
        self.explain = Some(text);
        self
    }

    /// `variant(..).uses(&["q_at"])`: the only parameters this version reads.
    pub const fn uses(mut self, params: &'static [&'static str]) -> Variant {
        self.params = Some(params);
        self
    }

    pub fn uses_param(&self, name: &str) -> bool {
        self.params.is_none_or(|ps| ps.contains(&name))
    }
}

/// A number the user can change with `[`/`]` or `--set NAME=VALUE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    pub help: &'static str,
}

/// `param("rounds", "+1/-1 rounds per thread", 30, 1, 10_000)`: a parameter's name, what it
/// sets, its default and its range.
pub const fn param(
    name: &'static str,
    help: &'static str,
    default: i64,
    min: i64,
    max: i64,
) -> Param {
    Param {
        name,
        default,
        min,
        max,
        help,
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Info {
    pub name: &'static str,
    pub title: &'static str,
    /// One line: what the scenario teaches.
    pub lesson: &'static str,
    /// The explanation panel: what runs, what to watch, what it teaches. Our own words.
    pub explain: &'static str,
    /// The first is the default.
    pub variants: &'static [Variant],
    pub params: &'static [Param],
}

impl Info {
    pub fn variant(&self, name: &str) -> Option<&'static Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// The explanation of one version: the scenario's, then what to watch in this version.
    pub fn explain_for(&self, variant: &str) -> String {
        match self.variant(variant).and_then(|v| v.explain) {
            Some(watch) => format!("{}\n\n{watch}", self.explain),
            None => self.explain.to_string(),
        }
    }

    /// The parameters a version uses, in the scenario's order.
    pub fn params_for<'a>(&self, variant: &'a str) -> impl Iterator<Item = &'static Param> + 'a {
        let info = *self;
        self.params.iter().filter(move |p| info.uses(variant, p))
    }

    /// The `i`th parameter if the version uses it, else the next one it does (wrapping): the
    /// one `[`/`]` change. None if the version uses none.
    pub fn param_at(&self, variant: &str, i: usize) -> Option<&'static Param> {
        let n = self.params.len();
        (0..n)
            .map(|k| &self.params[(i + k) % n])
            .find(|p| self.uses(variant, p))
    }

    /// Whether a version uses a parameter (an unknown version uses them all).
    fn uses(&self, variant: &str, p: &Param) -> bool {
        self.variant(variant).is_none_or(|v| v.uses_param(p.name))
    }
}

/// The chosen variant and parameter values of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub variant: &'static str,
    pub params: Vec<(&'static str, i64)>,
}

impl Config {
    pub fn default_for(info: &Info) -> Config {
        Config {
            variant: info.variants.first().map_or("default", |v| v.name),
            params: info.params.iter().map(|p| (p.name, p.default)).collect(),
        }
    }

    /// A parameter's value (its default if unknown: scenarios only ask for their own).
    pub fn get(&self, name: &str) -> i64 {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, v)| *v)
    }

    /// The parameters this run's version uses, with their values: what the screen shows.
    pub fn shown_params(&self, info: &Info) -> Vec<(&'static str, i64)> {
        info.params_for(self.variant)
            .map(|p| (p.name, self.get(p.name)))
            .collect()
    }

    pub fn is(&self, variant: &str) -> bool {
        self.variant == variant
    }
}
