//! A traced program in step mode, driven through the `Source` API alone: wait until the
//! events settle, step one thread, read what it did. Shared by the Python and Rust step
//! tests (`trace_step.rs`, `rust_sync_step.rs`).
#![allow(dead_code)] // each test binary uses its own part of this

use std::collections::HashMap;
use std::time::{Duration, Instant};
use threadlanes::app::App;
use threadlanes::event::{Event, Op, WorkerId};
use threadlanes::scenarios::Info;
use threadlanes::source::{Item, Source, TracedSource};

/// The words about a traced program the App is shown with (no explanation: not tested).
pub static ABOUT: Info = Info {
    name: "trace",
    title: "a stepped program",
    lesson: "",
    explain: "",
    variants: &[],
    params: &[],
};

/// The TUI's App in step mode over `src`, a program started stepped.
pub fn stepped_app(src: TracedSource) -> App {
    App::watching(Box::new(src), &ABOUT, 1.0).stepping()
}

/// Pumps `app` as the TUI would until `what` holds; fails after 20 s with what the lanes
/// say and the flash line.
pub fn pump_until(app: &mut App, what: &dyn Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !what(app) {
        assert!(
            Instant::now() < deadline,
            "never: {:?} {:?}",
            app.next_ops(),
            app.flash_text()
        );
        app.pump();
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub struct Stepped {
    pub src: TracedSource,
    names: HashMap<String, WorkerId>,
    /// Events since the last look.
    pub fresh: Vec<Event>,
    /// Quiet this long after a step: the events it made have come through the ingest's hold.
    settle: Duration,
}

impl Stepped {
    pub fn new(src: TracedSource, settle: Duration) -> Stepped {
        Stepped {
            src,
            names: HashMap::new(),
            fresh: Vec::new(),
            settle,
        }
    }

    /// Takes what came until nothing has come for `settle` and `until` holds (or the
    /// program ended).
    pub fn settle(&mut self, until: impl Fn(&Stepped) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut quiet_since = Instant::now();
        loop {
            let mut got = Vec::new();
            self.src.wait(Duration::from_millis(10), &mut |item| {
                if let Item::Event(ev) = item {
                    got.push(ev);
                }
            });
            if !got.is_empty() {
                quiet_since = Instant::now();
            }
            for ev in got {
                if let Op::Worker { name, .. } = &ev.op {
                    self.names.insert(name.clone(), ev.w);
                }
                self.fresh.push(ev);
            }
            if quiet_since.elapsed() >= self.settle && (until(self) || self.src.is_finished()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the program never settled: {:?} {:?}",
                self.names,
                self.src.parked()
            );
        }
    }

    /// The program's main thread is worker 0 (its lane is named with its pid).
    pub fn id(&self, name: &str) -> Option<WorkerId> {
        match name {
            "main" => Some(0),
            _ => self.names.get(name).copied(),
        }
    }

    pub fn w(&self, name: &str) -> WorkerId {
        self.id(name).expect("declared")
    }

    pub fn is_parked(&self, name: &str) -> bool {
        self.id(name)
            .is_some_and(|w| self.src.parked().iter().any(|p| p.w == w))
    }

    pub fn ready(&self, name: &str) -> bool {
        let w = self.w(name);
        self.src.parked().iter().any(|p| p.w == w && p.ready)
    }

    pub fn ended(&self, w: WorkerId) -> bool {
        self.fresh
            .iter()
            .any(|e| e.w == w && matches!(e.op, Op::Exit { .. }))
    }

    /// Lets `name` through once, and waits until it parks again or ends: the ops that came
    /// of it, all of that worker's (the park at its next gate, said by a `gate` event, left
    /// out).
    pub fn step(&mut self, name: &str) -> Vec<&'static str> {
        self.fresh.clear();
        let w = self.w(name);
        self.src
            .step(w)
            .unwrap_or_else(|e| panic!("{name} cannot go: {e}"));
        self.settle(|s| s.is_parked(name) || s.ended(w));
        let others: Vec<&Event> = self.fresh.iter().filter(|e| e.w != w).collect();
        assert!(others.is_empty(), "one step moved others too: {others:?}");
        let mut ops: Vec<&'static str> = self.fresh.iter().map(|e| e.op.name()).collect();
        // Parked again: the stream says so last (its lane draws the wait for the user).
        if self.is_parked(name) {
            assert_eq!(ops.pop(), Some("gate"), "{name}: {ops:?}");
        }
        assert!(!ops.contains(&"gate"), "{name}: one park a step: {ops:?}");
        ops
    }

    /// Waits for the program to end: what it wrote on stdout.
    pub fn output(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.src.is_finished() {
            assert!(Instant::now() < deadline, "the program never ended");
            self.src.wait(Duration::from_millis(10), &mut |_| {});
        }
        String::from_utf8_lossy(&self.src.captured().0).into_owned()
    }
}
