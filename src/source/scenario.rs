//! A scenario run as a [`Source`]: its workers on real threads and child processes under
//! the runner, which owns the clock, the gate and cancellation. It offers every control:
//! pause, step and seeded scheduling, speed, and a restart (a new source).
//!
//! Its events are drained a batch at a time under one lock (the viewer folds millions a
//! second): no allocation an event.

use super::{Controls, Item, Source};
use crate::event::{Event, WorkerId};
use crate::probe::{self, Res};
use crate::runner::{Mode, Options, Parked, Run, StepError};
use std::time::{Duration, Instant};

pub struct ScenarioSource {
    run: Run,
    /// Reused for every batch.
    batch: Vec<Event>,
}

impl ScenarioSource {
    /// Starts a scenario's `main` (its version and parameters already chosen: say
    /// `move || (scenario.main)(&config)`) as worker 0, with `options`.
    pub fn start<F>(main: F, options: Options) -> ScenarioSource
    where
        F: FnOnce() -> Res<()> + Send + 'static,
    {
        ScenarioSource {
            run: Run::start(main, options),
            batch: Vec::with_capacity(probe::BATCH),
        }
    }

    /// The run underneath (its session, its options as started).
    pub fn run(&self) -> &Run {
        &self.run
    }

    fn seeded(&self) -> bool {
        self.run.session().gate.mode() == Mode::Seeded
    }
}

impl Source for ScenarioSource {
    fn drain(&mut self, budget: Duration, fold: &mut dyn FnMut(Item)) -> usize {
        let until = Instant::now() + budget;
        let mut n = 0;
        while Instant::now() < until
            && self.run.events().recv_batch(&mut self.batch, probe::BATCH) > 0
        {
            n += self.batch.len();
            for ev in self.batch.drain(..) {
                fold(Item::Event(ev));
            }
        }
        n
    }

    fn wait(&mut self, timeout: Duration, fold: &mut dyn FnMut(Item)) -> usize {
        match self.run.events().recv_timeout(timeout) {
            Ok(ev) => {
                fold(Item::Event(ev));
                // Whatever else is already there, in one go.
                1 + self.drain(timeout, fold)
            }
            Err(_) => 0,
        }
    }

    fn now(&self) -> u64 {
        self.run.now()
    }

    fn is_quiet(&self) -> bool {
        self.run.events().is_empty()
    }

    fn is_finished(&self) -> bool {
        self.run.is_finished() && self.run.events().is_empty()
    }

    fn is_stuck(&self) -> bool {
        self.seeded() && self.run.is_stuck()
    }

    fn cycle_is_final(&self) -> bool {
        !self.seeded()
    }

    fn cancel(&self) {
        self.run.session().cancel();
    }

    fn stop(&mut self, within: Duration) -> bool {
        self.run.stop(within)
    }

    fn controls(&self) -> Controls {
        Controls::SCENARIO
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

    fn step(&self, w: WorkerId) -> Result<(), StepError> {
        self.run.step(w)
    }

    fn parked(&self) -> Vec<Parked> {
        self.run.parked()
    }
}
