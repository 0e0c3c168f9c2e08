//! A scenario run as a [`Source`]: the runner's `Run` behind the one interface the App
//! drives, so the App asks what it can do instead of knowing it runs a scenario.
//!
//! A minimal stand-in, kept in the app until the shared `source::ScenarioSource` (which also
//! decides how a run ended) takes its place; it adds nothing to `Run` but the item wrapper.

use crate::probe;
use crate::runner::{Mode, Options, Parked, Run};
use crate::scenarios::{Config, Scenario};
use crate::source::{Controls, Item, Source};
use std::time::{Duration, Instant};

pub(super) struct ScenarioSource {
    run: Run,
}

impl ScenarioSource {
    /// Starts `scenario` with `config` and `options`.
    pub fn start(scenario: &Scenario, config: Config, options: Options) -> ScenarioSource {
        let main = scenario.main;
        ScenarioSource {
            run: Run::start(move || main(&config), options),
        }
    }
}

impl Source for ScenarioSource {
    fn drain(&mut self, budget: Duration, fold: &mut dyn FnMut(Item)) -> usize {
        let until = Instant::now() + budget;
        let mut batch = Vec::with_capacity(probe::BATCH);
        let mut n = 0;
        while Instant::now() < until && self.run.events().recv_batch(&mut batch, probe::BATCH) > 0 {
            n += batch.len();
            batch.drain(..).for_each(|ev| fold(Item::Event(ev)));
        }
        n
    }

    fn wait(&mut self, timeout: Duration, fold: &mut dyn FnMut(Item)) -> usize {
        let Ok(ev) = self.run.events().recv_timeout(timeout) else {
            return 0;
        };
        fold(Item::Event(ev));
        let mut n = 1;
        while let Ok(ev) = self.run.events().try_recv() {
            fold(Item::Event(ev));
            n += 1;
        }
        n
    }

    fn now(&self) -> u64 {
        self.run.now()
    }

    fn is_finished(&self) -> bool {
        self.run.is_finished() && self.run.events().is_empty()
    }

    fn is_stuck(&self) -> bool {
        self.run.is_stuck()
    }

    fn cancel(&self) {
        self.run.session().cancel();
    }

    fn stop(&mut self, within: Duration) -> bool {
        self.run.stop(within)
    }

    fn controls(&self) -> Controls {
        Controls {
            pause: true,
            step: true,
            speed: true,
            restart: true,
        }
    }

    fn set_paused(&self, paused: bool) {
        self.run.set_paused(paused);
    }

    fn set_speed(&self, speed: f64) {
        self.run.set_speed(speed);
    }

    fn set_mode(&self, mode: Mode) {
        self.run.set_mode(mode);
    }

    fn step(&self, w: crate::event::WorkerId) -> Result<(), String> {
        self.run.step(w)
    }

    fn parked(&self) -> Vec<Parked> {
        self.run.parked()
    }
}
