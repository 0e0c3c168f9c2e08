//! The footer and the help overlay, both built from the bindings table (src/keys.rs).
//!
//! The help lists every binding that applies on this screen and that the app offers now,
//! in the table's words. The footer is a ranked list of entries per screen ([`RUN`],
//! [`PICKER`], [`ON_ITS_OWN`]), each naming the actions it shows and the key label made of
//! their bindings' labels; the app supplies only the words that depend on the state
//! ("pause" or "resume", "step t1", "seed 20079") through [`App::words`], one function
//! keyed by action. Nothing here matches on a label: which keys work is the table's.

use super::App;
use crate::event::WorkerKind;
use crate::keys::{self, Action};
use crate::model::task;
use crate::runner::Mode;
use crate::ui::lanes;
use crate::view::{Hint, RunState};

/// What the footer needs to know to pick its entries.
#[derive(Clone, Copy)]
pub(super) struct Now {
    pub step: bool,
    pub run: RunState,
    /// The scrub cursor is in the past.
    pub scrub: bool,
    /// Deadlocked with nobody outside the cycle: no step can move anyone.
    pub stuck: bool,
}

/// One footer entry: the key label shown (its bindings' labels, in order), the actions it
/// stands for, its words unless the app says others, and when it is worth showing.
pub(super) struct Entry {
    pub key: &'static str,
    pub actions: &'static [Action],
    pub what: &'static str,
    pub when: fn(Now) -> bool,
}

use Action as A;

const fn entry(key: &'static str, actions: &'static [Action], what: &'static str) -> Entry {
    Entry {
        key,
        actions,
        what,
        when: |_| true,
    }
}

const fn entry_when(
    key: &'static str,
    actions: &'static [Action],
    what: &'static str,
    when: fn(Now) -> bool,
) -> Entry {
    Entry {
        key,
        actions,
        what,
        when,
    }
}

/// Step mode, with someone left to step: once every worker has ended, or all left are in
/// a deadlock, the step keys are not offered.
fn stepping(n: Now) -> bool {
    n.step && n.run != RunState::Finished && !n.stuck
}

/// Over, or as good as over: r runs it again.
fn over(n: Now) -> bool {
    n.run == RunState::Finished || n.stuck
}

/// The run screen's footer, most useful first.
#[rustfmt::skip]
pub(super) const RUN: &[Entry] = &[
    entry_when(". →", &[A::Step, A::Right], "step", |n| stepping(n) && !n.scrub),
    entry_when("← →", &[A::Left, A::Right], "scrub", |n| n.scrub),
    entry_when(".", &[A::Step], "back to now and step", |n| stepping(n) && n.scrub),
    entry_when("tab", &[A::NextReady], "next that can go", stepping),
    entry_when("space", &[A::TogglePause], "pause", |n| !n.step && n.run != RunState::Finished),
    entry_when("r", &[A::Restart], "run again", over),
    entry("s", &[A::ToggleStep], "step mode"),
    entry_when("← →", &[A::Left, A::Right], "scrub", |n| !n.scrub && (n.step || n.run != RunState::Running)),
    // What the lesson turns on (its versions, its parameter, both side by side) before
    // the seed: a learner flips versions far more often than they replay one.
    // Only where the selected lane's thread runs tasks (App::words).
    entry("t", &[A::ToggleTasks], "fold tasks"),
    entry("v", &[A::ToggleVariant], "version"),
    entry("[ ]", &[A::ParamDown, A::ParamUp], "parameter"),
    entry("b", &[A::ToggleSplit], "both versions side by side"),
    entry("R", &[A::Replay], "replay"),
    entry("g", &[A::ToggleGraph], "wait-for graph"),
    entry("c", &[A::ToggleCaptions], "captions"),
    entry("e", &[A::MoreExplanation], "explanation"),
    entry("+ -", &[A::Faster, A::Slower], "speed"),
    entry("n p", &[A::NextScenario, A::PrevScenario], "scenario"),
    entry_when("r", &[A::Restart], "restart", |n| !over(n)),
    entry("↑↓", &[A::Up, A::Down], "lane"),
    entry("enter", &[A::Enter], "details"),
    entry("l", &[A::Picker], "list"),
    // Shown only for a run chosen in the picker, where Esc goes back to it.
    entry("esc", &[A::Back], "list"),
    entry("?", &[A::ToggleHelp], "help"),
    entry("q", &[A::Quit], "quit"),
    entry("\\", &[A::NextParam], "next parameter"),
];

/// The scenario picker's footer.
pub(super) const PICKER: &[Entry] = &[
    entry("↑↓", &[A::Up, A::Down], "choose"),
    entry("enter", &[A::Enter], "run"),
    entry("?", &[A::ToggleHelp], "help"),
    entry("q", &[A::Quit], "quit"),
];

/// The footer of a source that runs on its own (a traced program): the view's keys, and in
/// step mode the step keys.
#[rustfmt::skip]
pub(super) const ON_ITS_OWN: &[Entry] = &[
    entry_when(". →", &[A::Step, A::Right], "step", |n| stepping(n) && !n.scrub),
    entry_when("tab", &[A::NextReady], "next that can go", stepping),
    entry_when("s", &[A::ToggleStep], "step mode", |n| n.step && n.run != RunState::Finished),
    entry_when("space", &[A::TogglePause], "freeze view", |n| n.run != RunState::Finished),
    entry_when("q", &[A::Quit], "quit", |n| n.run == RunState::Finished),
    entry_when("← →", &[A::Left, A::Right], "scrub", |n| n.run != RunState::Running),
    // A program that can start again (App::offers) is run again seeded with R.
    entry("R", &[A::Replay], "replay"),
    entry("g", &[A::ToggleGraph], "wait-for graph"),
    entry("t", &[A::ToggleTasks], "fold tasks"),
    entry("↑↓", &[A::Up, A::Down], "lane"),
    entry("enter", &[A::Enter], "details"),
    entry("?", &[A::ToggleHelp], "help"),
    entry_when("q", &[A::Quit], "quit (ends the program)", |n| n.run != RunState::Finished),
];

/// What the app says for an entry now.
pub(super) enum Words {
    /// The entry's own words.
    Table,
    /// Words that depend on the state.
    Say(String),
    /// Not worth showing now.
    Hide,
}

impl App {
    /// The footer entries of the screen showing.
    pub(super) fn footer_entries(&self) -> &'static [Entry] {
        if self.picker.is_some() {
            PICKER
        } else if !self.controls().restart {
            ON_ITS_OWN
        } else {
            RUN
        }
    }

    /// The keys that apply now, most useful first, with words that say the current state.
    pub fn hints(&self) -> Vec<Hint> {
        let now = Now {
            step: self.options.mode == Mode::Step,
            run: self.status.run,
            scrub: self.cursor.is_some(),
            stuck: self.world.stuck(),
        };
        self.footer_entries()
            .iter()
            .filter(|e| (e.when)(now) && e.actions.iter().all(|a| self.offers(*a)))
            .filter_map(|e| {
                let what = match self.words(e.actions[0]) {
                    Words::Table => e.what.to_string(),
                    Words::Say(s) => s,
                    Words::Hide => return None,
                };
                Some(Hint { key: e.key, what })
            })
            .collect()
    }

    /// Every key that works now, in the table's words, for the help overlay.
    pub fn all_keys(&self) -> Vec<Hint> {
        keys::bindings(self.in_picker())
            .filter(|b| self.offers(b.action))
            .map(|b| Hint {
                key: b.label,
                what: match b.action {
                    A::Back if self.from_picker && !self.in_picker() => {
                        "close overlay / back to list".into()
                    }
                    _ => b.help.to_string(),
                },
            })
            .collect()
    }

    /// The words of `action`'s footer entry that depend on the state, or whether to hide it.
    pub(super) fn words(&self, action: Action) -> Words {
        let info = self.info();
        match action {
            A::Step if self.cursor.is_some() => Words::Table,
            A::Step => {
                let who = self.world.workers.get(self.view.selected);
                // One that is parked and cannot go is not offered (tab finds one that can).
                let stuck =
                    who.is_some_and(|w| self.next_ops.iter().any(|n| n.w == w.id && !n.ready));
                if stuck {
                    Words::Hide
                } else {
                    Words::Say(format!("step {}", who.map_or("", |w| w.name.as_str())))
                }
            }
            A::ToggleStep if self.options.mode == Mode::Step => {
                Words::Say("leave step mode".into())
            }
            A::TogglePause => Words::Say(
                match (self.controls().pause, self.status.run) {
                    (true, RunState::Paused) => "resume",
                    (true, _) => "pause",
                    (false, RunState::Paused) => "follow again",
                    (false, _) => "freeze view",
                }
                .into(),
            ),
            A::Replay => Words::Say(self.seed_words()),
            // Where v goes (the title says the version shown).
            A::ToggleVariant => match self.variant_after() {
                Some(v) => Words::Say(format!("→ {}", v.label)),
                None => Words::Hide,
            },
            // A run that is over has no one left to step: s runs it again, stepping.
            A::ToggleStep if self.status.run == RunState::Finished && self.controls().restart => {
                Words::Say("step again".into())
            }
            A::ParamDown | A::ParamUp => match info.param_at(self.config.variant, self.param) {
                Some(p) => Words::Say(format!("{}={}", p.name, self.config.get(p.name))),
                None => Words::Hide,
            },
            A::NextParam if info.params_for(self.config.variant).count() < 2 => Words::Hide,
            A::ToggleSplit if self.split => Words::Say("back to one version".into()),
            A::ToggleSplit if info.variants.len() < 2 => Words::Hide,
            A::ToggleGraph if self.view.graph => Words::Say("log".into()),
            A::ToggleCaptions if self.view.captions => Words::Say("captions off".into()),
            // Esc goes back to the list only for a run chosen there (elsewhere it quits, as q
            // does, which the footer shows already); `l` then need not be shown beside it.
            A::Back if !self.from_picker => Words::Hide,
            A::Back if self.view.help || self.view.details => Words::Say("close".into()),
            A::Picker if self.from_picker => Words::Hide,
            A::ToggleTasks => self.tasks_words(),
            _ => Words::Table,
        }
    }

    /// What `t` does to the selected lane's thread: fold its tasks or show them; nothing
    /// to say where it runs none.
    fn tasks_words(&self) -> Words {
        let world = self.shown_world();
        let Some(w) = world.workers.get(self.view.selected) else {
            return Words::Hide;
        };
        let thread = task::thread_of(w);
        if world.tasks == 0 || !task::runs_tasks(world, thread) {
            return Words::Hide;
        }
        let folded = lanes::folded(world, &self.view, self.lane_rows.get());
        if folded.contains(&thread) {
            Words::Say("show tasks".into())
        } else {
            Words::Table
        }
    }

    /// What `R` does with the seed, in words.
    fn seed_words(&self) -> String {
        // Child processes run free of the gate: a seed fixes only the parent's threads.
        let children = self
            .world
            .workers
            .iter()
            .any(|w| w.kind == WorkerKind::Process);
        // Short: the footer is narrow at 80 columns, and the help and the status line say
        // the seed.
        match self.options.mode {
            _ if children => "replay (processes run free)".into(),
            Mode::Free => "seeded run".into(),
            _ => "replay".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::bindings_of;

    /// Every footer entry's label is its actions' bindings' labels, and each of those
    /// bindings' keys resolves through the handler to that action, on that screen.
    #[test]
    fn the_footer_shows_keys_that_do_what_it_says() {
        for (list, picker) in [(RUN, false), (ON_ITS_OWN, false), (PICKER, true)] {
            for e in list {
                let labels: Vec<&str> = e
                    .actions
                    .iter()
                    .map(|a| {
                        let b = bindings_of(*a, picker).next();
                        b.unwrap_or_else(|| panic!("{a:?} has no binding")).label
                    })
                    .collect();
                let spaced = labels.join(" ");
                assert!(
                    e.key == spaced || e.key == labels.concat(),
                    "footer shows {:?} for {:?}, bindings say {spaced:?}",
                    e.key,
                    e.actions
                );
                for a in e.actions {
                    for b in bindings_of(*a, picker) {
                        for k in b.keys {
                            assert_eq!(keys::action_for(&k.event(), picker), Some(*a), "{k:?}");
                        }
                    }
                }
            }
        }
    }

    /// The help lists every binding of the screen that the app offers, and nothing else;
    /// every key in it resolves to its action.
    #[test]
    fn the_help_lists_every_binding_in_scope() {
        let app = App::detached(crate::cli::Plan {
            scenario: &crate::scenarios::all()[0],
            config: crate::scenarios::Config::default_for(&crate::scenarios::all()[0].info),
            options: crate::runner::Options::default(),
        });
        let help = app.all_keys();
        for b in keys::bindings(false) {
            assert!(
                help.iter().any(|h| h.key == b.label && h.what == b.help),
                "{} missing from the help",
                b.label
            );
            for k in b.keys {
                assert_eq!(keys::action_for(&k.event(), false), Some(b.action));
            }
        }
        assert_eq!(help.len(), keys::bindings(false).count());
    }
}
