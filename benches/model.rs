//! Model layer: how fast `World::apply` folds a mix of lock, semaphore, queue and event
//! operations over 1,000 workers and 200 objects, alone and with the scrubbing `History` the
//! app keeps beside it; then the resident memory after 100 million events.
//!
//! `cargo bench --bench model` runs the throughput benches; `THREADLANES_RSS=1 cargo bench
//! --bench model` runs only the 100 M-event memory check (in a fresh process, so nothing the
//! benches built is counted).

mod common;

use common::tasks::task_stream;
use common::{OBJECTS, WORKERS, busy_world, declarations, ops};
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use std::sync::OnceLock;
use threadlanes::event::Event;
use threadlanes::model::{History, World};

/// Events folded per sample.
const N: usize = 1_000_000;
/// The app's scrubbing history (`app::HISTORY`).
const HISTORY: usize = 200_000;

/// Operations folded into each sample's world before the timed part.
const WARM: usize = 100_000;

/// Each sample's starting point: a world that has folded `WARM` operations, built by folding
/// them (outside the timed part) as the app's world is. A clone of one such world would do
/// the same fold, but every `VecDeque` of a clone has no spare room: the first pushes into
/// each timeline and queue regrow it, about 8 % of the instructions of a sample, which the
/// app's world never pays.
fn start() -> World {
    busy_world(WORKERS, OBJECTS, WARM)
}

/// The events each sample folds, after the world of `start()`.
fn stream() -> &'static Vec<Event> {
    static S: OnceLock<Vec<Event>> = OnceLock::new();
    S.get_or_init(|| {
        let t0 = start().t + 1_000;
        ops(N, WORKERS, OBJECTS, t0, 11)
    })
}

/// The app's path: each event received is moved into the world (no copy for the log).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn fold(b: Bencher) {
    let events = stream();
    b.counter(ItemsCount::new(events.len()))
        .with_inputs(|| (start(), events.clone()))
        .bench_local_values(|(mut w, evs)| {
            for e in evs {
                w.apply_owned(e);
            }
            black_box(w)
        });
}

/// 10,000 tasks on one thread, from their declarations to half of them ended (about 80,000
/// events): a task's fold beside any worker's.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn fold_10k_tasks(b: Bencher) {
    let events = task_stream(10_000, 50);
    b.counter(ItemsCount::new(events.len()))
        .with_inputs(|| events.clone())
        .bench_local_values(|evs| {
            let mut w = World::default();
            for e in evs {
                w.apply_owned(e);
            }
            black_box(w)
        });
}

/// Folding borrowed events (a copy of each for the log).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn fold_borrowed(b: Bencher) {
    let events = stream();
    b.counter(ItemsCount::new(events.len()))
        .with_inputs(start)
        .bench_local_values(|mut w| {
            for e in events {
                w.apply(e);
            }
            black_box(w)
        });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn fold_with_history(b: Bencher) {
    let events = stream();
    b.counter(ItemsCount::new(events.len()))
        .with_inputs(|| (start(), History::new(HISTORY)))
        .bench_local_values(|(mut w, mut h)| {
            for e in events {
                h.push(e, &w);
                w.apply(e);
            }
            black_box((w, h))
        });
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Folds 100 M events (a 1 M-event stream replayed with time moving on) into a world and
/// the app's history, as a long run would, and prints the resident memory.
fn rss_after_100m() {
    let before = rss_mb();
    let chunk = ops(1_000_000, WORKERS, OBJECTS, 0, 3);
    let span = chunk.last().map_or(0, |e| e.t) + 1_000;
    let mut world = World::default();
    let mut history = History::new(HISTORY);
    for e in declarations(WORKERS, OBJECTS) {
        history.push(&e, &world);
        world.apply(&e);
    }
    let start = std::time::Instant::now();
    let mut e2 = chunk.clone();
    for round in 0..100u64 {
        for (e, src) in e2.iter_mut().zip(&chunk) {
            e.t = src.t + round * span + 10;
        }
        for e in &e2 {
            history.push(e, &world);
            world.apply(e);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    drop(chunk);
    drop(e2);
    println!(
        "rss: {:.0} MB after {} events (world + history of {HISTORY}; {:.0} MB before; {:.1} M events/s)",
        rss_mb(),
        world.events,
        before,
        world.events as f64 / secs / 1e6
    );
    black_box((world, history));
}

fn main() {
    if std::env::var("THREADLANES_RSS").as_deref() == Ok("1") {
        rss_after_100m();
    } else {
        divan::main();
    }
}
