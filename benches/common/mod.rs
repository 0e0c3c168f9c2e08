//! A synthetic run shared by the model and ui benches: `workers` workers and `objects`
//! objects (locks, semaphores, queues and events in turn), and a consistent stream of their
//! operations with some contention, as the probe would send it.
#![allow(dead_code)]

pub mod tasks;

use threadlanes::event::{Event, ObjectKind, Op, WorkerKind};
use threadlanes::model::World;

pub const WORKERS: u32 = 1000;
pub const OBJECTS: u32 = 200;

fn ev(t: u64, w: u32, op: Op) -> Event {
    Event { t, pid: 1, w, op }
}

fn kind_of(o: u32) -> ObjectKind {
    match o % 4 {
        0 => ObjectKind::Lock,
        1 => ObjectKind::Semaphore,
        2 => ObjectKind::Queue,
        _ => ObjectKind::Event,
    }
}

/// Every worker and object declared, every worker started.
pub fn declarations(workers: u32, objects: u32) -> Vec<Event> {
    let mut v = Vec::new();
    for w in 0..workers {
        v.push(ev(
            0,
            w,
            Op::Worker {
                name: if w == 0 {
                    "main".into()
                } else {
                    format!("worker-{w}")
                },
                kind: if w == 0 {
                    WorkerKind::Main
                } else {
                    WorkerKind::Thread
                },
                daemon: false,
                parent: (w > 0).then_some(0),
                thread: None,
            },
        ));
    }
    for o in 1..=objects {
        let kind = kind_of(o);
        let capacity = match kind {
            ObjectKind::Semaphore => Some(3),
            ObjectKind::Queue => Some(0),
            _ => None,
        };
        v.push(ev(
            0,
            0,
            Op::Object {
                o,
                name: format!("{}-{o}", kind.as_str()),
                kind,
                capacity,
            },
        ));
    }
    for w in 0..workers {
        v.push(ev(1, w, Op::Start));
    }
    v
}

/// The same PRNG seeded mode uses.
use threadlanes::runner::gate::SplitMix as Rng;

/// About `n` operations starting at virtual time `t0`: a mix of lock, semaphore, queue and
/// event operations, each group whole (state stays consistent), a lock group sometimes
/// contended by a second worker.
pub fn ops(n: usize, workers: u32, objects: u32, t0: u64, seed: u64) -> Vec<Event> {
    let mut r = Rng(seed);
    let mut v = Vec::with_capacity(n + 8);
    let mut t = t0;
    let mut tick = || {
        t += 1_000;
        t
    };
    while v.len() < n {
        let w = (r.next_u64() % workers as u64) as u32;
        let o = 1 + (r.next_u64() % objects as u64) as u32;
        match kind_of(o) {
            ObjectKind::Lock => {
                let other = (w + 1) % workers;
                let contended = r.next_u64().is_multiple_of(4);
                v.push(ev(tick(), w, Op::AcquireBegin { o }));
                v.push(ev(
                    tick(),
                    w,
                    Op::AcquireEnd {
                        o,
                        ok: true,
                        depth: None,
                        value: None,
                    },
                ));
                if contended {
                    v.push(ev(tick(), other, Op::AcquireBegin { o }));
                }
                v.push(ev(
                    tick(),
                    w,
                    Op::Release {
                        o,
                        depth: None,
                        value: None,
                    },
                ));
                if contended {
                    v.push(ev(
                        tick(),
                        other,
                        Op::AcquireEnd {
                            o,
                            ok: true,
                            depth: None,
                            value: None,
                        },
                    ));
                    v.push(ev(
                        tick(),
                        other,
                        Op::Release {
                            o,
                            depth: None,
                            value: None,
                        },
                    ));
                }
            }
            ObjectKind::Semaphore => {
                v.push(ev(tick(), w, Op::AcquireBegin { o }));
                v.push(ev(
                    tick(),
                    w,
                    Op::AcquireEnd {
                        o,
                        ok: true,
                        depth: None,
                        value: Some(2),
                    },
                ));
                v.push(ev(
                    tick(),
                    w,
                    Op::Release {
                        o,
                        depth: None,
                        value: Some(3),
                    },
                ));
            }
            ObjectKind::Queue => {
                let item = format!("item-{}", r.next_u64() % 100);
                v.push(ev(
                    tick(),
                    w,
                    Op::PutBegin {
                        o,
                        item: item.clone(),
                    },
                ));
                v.push(ev(
                    tick(),
                    w,
                    Op::PutEnd {
                        o,
                        item: item.clone(),
                        depth: 1,
                        ok: true,
                    },
                ));
                let c = (w + 7) % workers;
                v.push(ev(tick(), c, Op::GetBegin { o }));
                v.push(ev(
                    tick(),
                    c,
                    Op::GetEnd {
                        o,
                        item: Some(item),
                        depth: 0,
                        ok: true,
                    },
                ));
                v.push(ev(tick(), c, Op::TaskDone { o, unfinished: 0 }));
            }
            _ => {
                v.push(ev(tick(), w, Op::WaitBegin { o }));
                v.push(ev(tick(), 0, Op::Set { o }));
                v.push(ev(tick(), w, Op::WaitEnd { o, ok: true }));
                v.push(ev(tick(), 0, Op::Clear { o }));
            }
        }
    }
    v
}

/// A world of `workers` workers and `objects` objects that has folded `n` operations.
pub fn busy_world(workers: u32, objects: u32, n: usize) -> World {
    let mut world = World::default();
    for e in declarations(workers, objects) {
        world.apply(&e);
    }
    for e in ops(n, workers, objects, 10, 7) {
        world.apply(&e);
    }
    world
}
