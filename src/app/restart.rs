//! Starting again: the only place the App builds a scenario source, from the catalogue,
//! and every key that does (r R b n p v [ ]). Each is offered only when the source says it
//! can be restarted ([`Controls::restart`](crate::source::Controls)); a source given from
//! outside that cannot, such as a traced program, is never replaced.
//!
//! A detached App (the recorder's) has no run behind it: `start` resets the view and leaves
//! the plan for the recorder to take ([`App::take_restart`]).

use super::{App, Twin};
use crate::cli::{Plan, fresh_seed};
use crate::model::{History, World};
use crate::runner::Mode;
use crate::scenarios::{Config, Variant};
use crate::source::ScenarioSource;
use crate::view::{RunState, View};

impl App {
    /// The plan the App runs now.
    fn plan(&self) -> Plan {
        Plan {
            scenario: &self.scenarios[self.current],
            config: self.config.clone(),
            options: self.options,
        }
    }

    /// A seed for a fresh run: a new one live; in a recording the one that follows (the same
    /// on every recording).
    pub(super) fn new_seed(&self) -> u64 {
        if self.detached {
            super::detached::next_seed(self.options.seed)
        } else {
            fresh_seed()
        }
    }

    /// Starts the current scenario afresh with the current config and options, if what runs
    /// can be restarted (a source given from outside may not be; then nothing changes).
    pub(super) fn start(&mut self) {
        if !self.controls().restart {
            return;
        }
        self.reset();
        if self.detached {
            self.restarted = Some(self.plan());
            return;
        }
        let (cfg, main) = (self.config.clone(), self.scenarios[self.current].main);
        let source = ScenarioSource::start(move || main(&cfg), self.options);
        self.source = Some(Box::new(source));
        if self.split {
            self.start_twin();
        }
    }

    /// Stops what runs and clears what was shown of it, for a fresh run.
    fn reset(&mut self) {
        self.stop_run();
        self.world = World::default();
        self.memory.forget();
        self.history = History::new(super::settings::history_len());
        self.leave_scrub();
        self.next_ops.clear();
        self.status.mode = self.options.mode;
        self.reselect = None;
        if self.options.mode == Mode::Step {
            self.owe_reselect(None);
        }
        self.view = View {
            graph: self.view.graph,
            captions: self.view.captions,
            ..View::default()
        };
        self.options.paused = false;
        self.status.run = RunState::Running;
        self.status.seed = self.options.seed;
        self.dirty = true;
    }

    /// The current scenario's other version, started with the same seed and options.
    fn start_twin(&mut self) {
        let vs = self.info().variants;
        let i = vs.iter().position(|v| v.name == self.config.variant);
        let Some(other) = i.map(|i| vs[(i + 1) % vs.len()]).filter(|_| vs.len() > 1) else {
            self.split = false;
            return;
        };
        let cfg = Config {
            variant: other.name,
            ..self.config.clone()
        };
        let mut options = self.options;
        if options.mode == Mode::Step {
            options.mode = self.unstepped;
        }
        let (c, main) = (cfg.clone(), self.scenarios[self.current].main);
        self.twin = Some(Twin {
            source: Box::new(ScenarioSource::start(move || main(&c), options)),
            world: World::default(),
            config: cfg,
        });
    }

    /// `r`: a fresh run with a new seed.
    pub(super) fn restart(&mut self) {
        self.options.seed = self.new_seed();
        self.start();
        self.flash("restarted".into());
    }

    /// `R`: the same seed again, seeded; a program given from outside that can start again
    /// follows the schedule of the run shown.
    pub(super) fn replay(&mut self) {
        if let Some(mut again) = self.again.take() {
            let schedule = self.source().and_then(|s| s.schedule());
            self.options.mode = Mode::Seeded;
            self.unstepped = Mode::Seeded;
            self.reset();
            self.source = again(schedule.clone());
            self.again = Some(again);
            self.flash(match (&self.source, schedule) {
                (None, _) => "the program could not be started again".into(),
                (Some(_), Some(s)) => format!("replaying schedule {s}"),
                (Some(_), None) => "a seeded run: its schedule is printed when you quit".into(),
            });
            return;
        }
        // From a free run, R starts the first seeded run of this seed: nothing is replayed.
        let first = self.options.mode == Mode::Free;
        if first {
            self.options.mode = Mode::Seeded;
            self.unstepped = Mode::Seeded;
        }
        self.start();
        let seed = self.options.seed;
        self.flash(if first {
            format!("seeded run: seed {seed}")
        } else {
            format!("replaying seed {seed}")
        });
    }

    /// Side by side on or off (it restarts both from the start).
    pub(super) fn toggle_split(&mut self) {
        if !self.split && self.info().variants.len() < 2 {
            self.flash("one version only: nothing to put beside it".into());
            return;
        }
        if self.options.mode == Mode::Step {
            self.toggle_step();
        }
        self.split = !self.split;
        self.start();
        self.flash(if self.split {
            "side by side, one seed (b: back to one)".into()
        } else {
            "one version".into()
        });
    }

    /// Another scenario (n p, the picker), in its defaults: its first version and
    /// parameters, a free run and the lanes with the log. What the user chose for the last
    /// one (a seeded replay, step mode, the wait-for graph) was for that one. A recording
    /// stays seeded: its schedule is its seed's.
    pub(super) fn switch_to(&mut self, i: usize) {
        self.current = i % self.scenarios.len();
        self.about = &self.scenarios[self.current].info;
        self.config = Config::default_for(self.info());
        self.param = 0;
        self.options.seed = self.new_seed();
        if !self.detached {
            self.options.mode = Mode::Free;
            self.unstepped = Mode::Free;
        }
        self.view.graph = false;
        self.view.explain_page = 0;
        self.start();
        self.flash(format!("scenario: {}", self.info().name));
    }

    /// The version `v` goes to: the next in the scenario's list, round to the first.
    pub(super) fn variant_after(&self) -> Option<&'static Variant> {
        let vs = self.info().variants;
        let i = vs.iter().position(|v| v.name == self.config.variant)?;
        vs.get((i + 1) % vs.len())
    }

    pub(super) fn next_variant(&mut self) {
        let Some(v) = self.variant_after().or(self.info().variants.first()) else {
            self.flash("this scenario has one version".into());
            return;
        };
        self.config.variant = v.name;
        self.start();
        self.flash(format!("version: {}", v.label));
    }

    pub(super) fn change_param(&mut self, up: bool) {
        let Some(p) = self
            .info()
            .param_at(self.config.variant, self.param)
            .copied()
        else {
            self.flash("this scenario has no parameter".into());
            return;
        };
        let Some(slot) = self.config.params.iter_mut().find(|(n, _)| *n == p.name) else {
            return;
        };
        let v = (slot.1 + if up { 1 } else { -1 }).clamp(p.min, p.max);
        if v == slot.1 {
            self.flash(format!("{} stays within {}..={}", p.name, p.min, p.max));
            return;
        }
        slot.1 = v;
        self.start();
        self.flash(format!("{} = {v}", p.name));
    }
}
