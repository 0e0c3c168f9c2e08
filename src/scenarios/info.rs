//! What a scenario says about itself: name, lesson, explanation, variants, parameters.

/// A contrasting version of a scenario (with or without the lock, join or not...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variant {
    pub name: &'static str,
    /// Shown in the footer and status line: "with lock".
    pub label: &'static str,
}

/// `variant("with-lock", "with lock")`: a version's name and its label.
pub const fn variant(name: &'static str, label: &'static str) -> Variant {
    Variant { name, label }
}

/// The versions of a scenario whose lesson is "without a lock, then with one".
pub const LOCK_VARIANTS: &[Variant] = &[
    variant("no-lock", "without lock"),
    variant("with-lock", "with lock"),
];

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

    pub fn is(&self, variant: &str) -> bool {
        self.variant == variant
    }
}
