//! Probe layer: what one instrumented operation costs the program it shows, measured beside
//! its baselines in the same run.
//!
//! - `baseline`: a raw parking_lot lock+unlock, `Instant::now()`, the TSC through quanta.
//! - `gate`: the step gate in free mode (what every operation pays before it starts).
//! - `probe`: an instrumented `Lock` acquire+release (3 events: acquire_begin, acquire_end,
//!   release, timestamps included), with a viewer draining the events on another thread, and
//!   with no viewer (the receiver dropped).
//! - `tracing`: the same acquire+release reported as three `tracing` events into a minimal
//!   layer that stamps each with `Instant::now()` and sends it over a crossbeam channel —
//!   what a user would otherwise reach for.
//!
//! `cargo bench --bench probe`

use crossbeam_channel::unbounded;
use divan::{Bencher, black_box};
use std::sync::Arc;
use std::time::Instant;
use threadlanes::event::WorkerKind;
use threadlanes::probe::{self, Events, Lock, Session};
use threadlanes::runner::clock::Clock;
use threadlanes::runner::gate::{Gate, Mode, Next};

mod baseline {
    use super::*;

    #[divan::bench]
    fn raw_mutex_lock_unlock(b: Bencher) {
        let m = parking_lot::Mutex::new(0u64);
        b.bench_local(|| {
            *black_box(&m).lock() += 1;
        });
    }

    #[divan::bench]
    fn instant_now(b: Bencher) {
        b.bench_local(Instant::now);
    }

    #[divan::bench]
    fn tsc_quanta_raw(b: Bencher) {
        let c = quanta::Clock::new();
        b.bench_local(|| c.raw());
    }

    #[divan::bench]
    fn tsc_quanta_now(b: Bencher) {
        let c = quanta::Clock::new();
        b.bench_local(|| c.now());
    }
}

mod gate {
    use super::*;

    /// Free mode: one atomic load.
    #[divan::bench]
    fn free_pass(b: Bencher) {
        let g = Gate::new(Mode::Free, false, 0);
        b.bench_local(|| {
            black_box(&g).pass(
                1,
                Next {
                    op: "acquire",
                    o: Some(1),
                },
                || false,
            )
        });
    }
}

/// A free-running session whose events a viewer thread drains (as the app does), or nobody
/// reads (`viewer: false`: the receiver is dropped at once).
fn session(viewer: bool) -> Arc<Session> {
    let (s, events) = Session::new(
        Arc::new(Clock::new(1.0, false)),
        Arc::new(Gate::new(Mode::Free, false, 0)),
    );
    if viewer {
        std::thread::spawn(move || drain(events));
    }
    s
}

/// A viewer that reads as fast as it can on the other core, as the app does in a flood.
fn drain(events: Events) {
    let mut n = 0u64;
    loop {
        for _ in events.try_iter() {
            n += 1;
        }
        black_box(n);
        std::thread::yield_now();
    }
}

fn lock_acquire_release(b: Bencher, viewer: bool) {
    let s = session(viewer);
    probe::attach(&s, "bench", WorkerKind::Main);
    let l = Lock::new("L");
    b.bench_local(|| {
        l.acquire().expect("not cancelled");
        l.release().expect("not cancelled");
    });
}

mod probe_lock {
    use super::*;

    /// acquire+release: 3 events, delivered to a live viewer.
    #[divan::bench]
    fn acquire_release_viewer(b: Bencher) {
        lock_acquire_release(b, true);
    }

    /// acquire+release with nobody watching.
    #[divan::bench]
    fn acquire_release_no_viewer(b: Bencher) {
        lock_acquire_release(b, false);
    }
}

mod tracing_layer {
    use super::*;
    use tracing::field::{Field, Visit};
    use tracing_subscriber::layer::{Context, SubscriberExt};

    /// What the minimal layer sends per event.
    pub struct Rec {
        pub t: Instant,
        pub op: &'static str,
        pub o: u64,
    }

    struct Fields {
        op: &'static str,
        o: u64,
    }

    impl Visit for Fields {
        fn record_u64(&mut self, field: &Field, value: u64) {
            if field.name() == "o" {
                self.o = value;
            }
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "op" {
                self.op = match value {
                    "acquire_begin" => "acquire_begin",
                    "acquire_end" => "acquire_end",
                    _ => "release",
                };
            }
        }
        fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
    }

    pub struct ChannelLayer(pub crossbeam_channel::Sender<Rec>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ChannelLayer {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            let mut f = Fields { op: "", o: 0 };
            event.record(&mut f);
            let _ = self.0.send(Rec {
                t: Instant::now(),
                op: f.op,
                o: f.o,
            });
        }
    }

    /// A parking_lot lock+unlock reported as three tracing events, drained by a viewer
    /// thread as ours are.
    #[divan::bench]
    fn acquire_release_3_events(b: Bencher) {
        let (tx, rx) = unbounded::<Rec>();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while let Ok(r) = rx.recv() {
                n += r.o + r.op.len() as u64;
                black_box(r.t);
            }
            black_box(n);
        });
        let subscriber = tracing_subscriber::registry().with(ChannelLayer(tx));
        let m = parking_lot::Mutex::new(0u64);
        tracing::subscriber::with_default(subscriber, || {
            b.bench_local(|| {
                tracing::trace!(o = 1u64, op = "acquire_begin");
                let mut g = black_box(&m).lock();
                tracing::trace!(o = 1u64, op = "acquire_end");
                *g += 1;
                tracing::trace!(o = 1u64, op = "release");
                drop(g);
            });
        });
    }
}

fn main() {
    divan::main();
}
