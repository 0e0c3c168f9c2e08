use super::*;
use crate::event::{Event, ExitHow, ObjectKind, Op, WorkerKind};

/// A small stream builder: `at(t, w, op)`.
struct S(Vec<Event>);

impl S {
    fn new() -> S {
        S(Vec::new())
    }
    fn at(mut self, t: u64, w: u32, op: Op) -> S {
        self.0.push(Event { t, pid: 1, w, op });
        self
    }
    fn worker(self, w: u32, name: &str) -> S {
        let kind = if w == 0 {
            WorkerKind::Main
        } else {
            WorkerKind::Thread
        };
        self.at(
            0,
            w,
            Op::Worker {
                name: name.into(),
                kind,
                daemon: false,
                parent: None,
                thread: None,
            },
        )
        .at(0, w, Op::Start)
    }
    fn object(self, o: u32, name: &str, kind: ObjectKind, capacity: Option<u64>) -> S {
        self.at(
            0,
            0,
            Op::Object {
                o,
                name: name.into(),
                kind,
                capacity,
            },
        )
    }
    fn world(&self) -> World {
        let mut w = World::default();
        for e in &self.0 {
            w.apply(e);
        }
        w
    }
}

fn acq_end(o: u32) -> Op {
    Op::AcquireEnd {
        o,
        ok: true,
        depth: None,
        value: None,
    }
}

fn rel(o: u32) -> Op {
    Op::Release {
        o,
        depth: None,
        value: None,
    }
}

#[test]
fn lock_owner_and_waiters_in_order() {
    let s = S::new()
        .worker(0, "main")
        .worker(1, "a")
        .worker(2, "b")
        .worker(3, "c")
        .object(1, "A", ObjectKind::Lock, None)
        .at(10, 1, Op::AcquireBegin { o: 1 })
        .at(11, 1, acq_end(1))
        .at(12, 3, Op::AcquireBegin { o: 1 })
        .at(13, 2, Op::AcquireBegin { o: 1 });
    let w = s.world();
    let lock = w.object(1).unwrap();
    assert_eq!(lock.owner(), Some(1));
    let waiting: Vec<_> = lock.waiting(|_| true).collect();
    assert_eq!(waiting, vec![3, 2]);
    assert_eq!(w.worker(1).unwrap().phase(), Phase::Critical);
    assert_eq!(w.worker(3).unwrap().phase(), Phase::Blocked);
    assert_eq!(
        describe::state(&w, w.worker(3).unwrap()),
        "waiting for lock A (held by a)"
    );
    assert_eq!(lock.stats.contended, 2);

    let w = s.at(20, 1, rel(1)).at(21, 3, acq_end(1)).world();
    let lock = w.object(1).unwrap();
    assert_eq!(lock.owner(), Some(3));
    assert_eq!(lock.waiting(|_| true).collect::<Vec<_>>(), vec![2]);
    assert_eq!(w.worker(1).unwrap().phase(), Phase::Running);
    assert!(w.worker(1).unwrap().holding.is_empty());
}

#[test]
fn semaphore_slots_show_holders() {
    let mut s = S::new()
        .worker(0, "main")
        .object(1, "pool", ObjectKind::BoundedSemaphore, Some(2));
    for i in 1..=3 {
        s = s.worker(i, &format!("w{i}"));
    }
    let s = s
        .at(1, 1, Op::AcquireBegin { o: 1 })
        .at(2, 1, acq_end(1))
        .at(3, 2, Op::AcquireBegin { o: 1 })
        .at(4, 2, acq_end(1))
        .at(5, 3, Op::AcquireBegin { o: 1 });
    let w = s.world();
    match &w.object(1).unwrap().state {
        ObjectState::Semaphore { value, holders } => {
            assert_eq!(*value, 0);
            assert_eq!(holders, &vec![1, 2]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        describe::state(&w, w.worker(3).unwrap()),
        "waiting for a slot of semaphore pool"
    );
}

#[test]
fn queue_items_and_depth_follow_puts_and_gets() {
    let s = S::new()
        .worker(0, "main")
        .object(1, "q", ObjectKind::Queue, Some(2))
        .at(
            1,
            0,
            Op::PutBegin {
                o: 1,
                item: "a".into(),
            },
        )
        .at(
            1,
            0,
            Op::PutEnd {
                o: 1,
                item: "a".into(),
                depth: 1,
                ok: true,
            },
        )
        .at(
            2,
            0,
            Op::PutBegin {
                o: 1,
                item: "b".into(),
            },
        )
        .at(
            2,
            0,
            Op::PutEnd {
                o: 1,
                item: "b".into(),
                depth: 2,
                ok: true,
            },
        )
        .at(3, 0, Op::GetBegin { o: 1 })
        .at(
            3,
            0,
            Op::GetEnd {
                o: 1,
                item: Some("a".into()),
                depth: 1,
                ok: true,
            },
        )
        .at(
            4,
            0,
            Op::TaskDone {
                o: 1,
                unfinished: 1,
            },
        );
    let w = s.world();
    match &w.object(1).unwrap().state {
        ObjectState::Queue {
            depth,
            items,
            unfinished,
        } => {
            assert_eq!(*depth, 1);
            assert_eq!(items.iter().collect::<Vec<_>>(), vec!["b"]);
            assert_eq!(*unfinished, 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn event_flag_and_waiters() {
    let s = S::new()
        .worker(0, "lighter")
        .worker(1, "car")
        .object(1, "light", ObjectKind::Event, None)
        .at(5, 1, Op::WaitBegin { o: 1 });
    let w = s.world();
    assert_eq!(
        w.object(1).unwrap().state,
        ObjectState::Event { flag: false }
    );
    assert_eq!(w.worker(1).unwrap().phase(), Phase::Waiting);
    let w = s
        .at(6, 0, Op::Set { o: 1 })
        .at(7, 1, Op::WaitEnd { o: 1, ok: true })
        .world();
    assert_eq!(
        w.object(1).unwrap().state,
        ObjectState::Event { flag: true }
    );
    assert!(w.object(1).unwrap().waiters.is_empty());
    assert_eq!(w.worker(1).unwrap().phase(), Phase::Running);
}

#[test]
fn a_cycle_of_two_locks_is_a_deadlock_and_clears_when_broken() {
    let s = S::new()
        .worker(1, "left")
        .worker(2, "right")
        .object(1, "A", ObjectKind::Lock, None)
        .object(2, "B", ObjectKind::Lock, None)
        .at(1, 1, Op::AcquireBegin { o: 1 })
        .at(1, 1, acq_end(1))
        .at(2, 2, Op::AcquireBegin { o: 2 })
        .at(2, 2, acq_end(2))
        .at(3, 1, Op::AcquireBegin { o: 2 });
    assert_eq!(s.world().deadlock, None);
    let s = s.at(4, 2, Op::AcquireBegin { o: 1 });
    assert_eq!(s.world().deadlock, Some(vec![2, 1]));
    let s = s.at(
        5,
        2,
        Op::Exit {
            how: ExitHow::Cancelled,
            msg: None,
        },
    );
    assert_eq!(s.world().deadlock, None);
}

#[test]
fn taking_a_plain_lock_twice_is_a_self_deadlock() {
    let w = S::new()
        .worker(1, "t")
        .object(1, "L", ObjectKind::Lock, None)
        .at(1, 1, Op::AcquireBegin { o: 1 })
        .at(1, 1, acq_end(1))
        .at(2, 1, Op::AcquireBegin { o: 1 })
        .world();
    assert_eq!(w.deadlock, Some(vec![1]));
    assert_eq!(
        describe::state(&w, w.worker(1).unwrap()),
        "waiting for lock L held by itself"
    );
}

#[test]
fn rlock_depth_goes_up_and_down() {
    let s = S::new()
        .worker(1, "t")
        .object(1, "R", ObjectKind::RLock, None)
        .at(1, 1, Op::AcquireBegin { o: 1 })
        .at(
            1,
            1,
            Op::AcquireEnd {
                o: 1,
                ok: true,
                depth: Some(1),
                value: None,
            },
        )
        .at(2, 1, Op::AcquireBegin { o: 1 })
        .at(
            2,
            1,
            Op::AcquireEnd {
                o: 1,
                ok: true,
                depth: Some(2),
                value: None,
            },
        );
    let w = s.world();
    assert_eq!(
        w.object(1).unwrap().state,
        ObjectState::Lock {
            owner: Some(1),
            depth: 2
        }
    );
    assert_eq!(w.worker(1).unwrap().holding, vec![1]);
    assert_eq!(w.deadlock, None);
    let w = s
        .at(
            3,
            1,
            Op::Release {
                o: 1,
                depth: Some(1),
                value: None,
            },
        )
        .at(
            4,
            1,
            Op::Release {
                o: 1,
                depth: Some(0),
                value: None,
            },
        )
        .world();
    assert_eq!(
        w.object(1).unwrap().state,
        ObjectState::Lock {
            owner: None,
            depth: 0
        }
    );
    assert!(w.worker(1).unwrap().holding.is_empty());
}

#[test]
fn undeclared_ids_get_placeholders_instead_of_being_lost() {
    let w = S::new().at(3, 7, Op::Set { o: 9 }).world();
    assert_eq!(w.worker_name(7), "w7");
    assert_eq!(w.object(9).unwrap().kind, ObjectKind::Event);
}

#[test]
fn memory_stays_bounded_over_a_long_run() {
    let mut w = World::new(Limits {
        history: 64,
        log: 32,
    });
    let mut t = 0;
    for e in S::new()
        .worker(1, "t")
        .object(1, "A", ObjectKind::Lock, None)
        .0
    {
        w.apply(&e);
    }
    for _ in 0..100_000 {
        t += 10;
        w.apply(&Event {
            t,
            pid: 1,
            w: 1,
            op: Op::AcquireBegin { o: 1 },
        });
        w.apply(&Event {
            t: t + 1,
            pid: 1,
            w: 1,
            op: acq_end(1),
        });
        w.apply(&Event {
            t: t + 5,
            pid: 1,
            w: 1,
            op: rel(1),
        });
    }
    assert!(w.worker(1).unwrap().timeline.len() <= 64);
    assert_eq!(w.log.len(), 32);
    assert_eq!(w.events, 300_003);
}

#[test]
fn checker_flags_two_holders_and_queue_order() {
    let s = S::new()
        .worker(1, "a")
        .worker(2, "b")
        .object(1, "A", ObjectKind::Lock, None)
        .object(2, "q", ObjectKind::LifoQueue, None)
        .at(1, 1, Op::AcquireBegin { o: 1 })
        .at(1, 1, acq_end(1))
        .at(2, 2, Op::AcquireBegin { o: 1 })
        .at(2, 2, acq_end(1))
        .at(
            3,
            1,
            Op::PutBegin {
                o: 2,
                item: "x".into(),
            },
        )
        .at(
            3,
            1,
            Op::PutEnd {
                o: 2,
                item: "x".into(),
                depth: 1,
                ok: true,
            },
        )
        .at(
            3,
            1,
            Op::PutBegin {
                o: 2,
                item: "y".into(),
            },
        )
        .at(
            3,
            1,
            Op::PutEnd {
                o: 2,
                item: "y".into(),
                depth: 2,
                ok: true,
            },
        )
        .at(4, 1, Op::GetBegin { o: 2 })
        .at(
            4,
            1,
            Op::GetEnd {
                o: 2,
                item: Some("x".into()),
                depth: 1,
                ok: true,
            },
        );
    let v = check::check_all(&s.0);
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].contains("two holders"));
    assert!(v[1].contains("order says y"));
}

#[test]
fn checker_accepts_a_clean_stream_and_flags_end_without_begin() {
    let s = S::new()
        .worker(1, "a")
        .object(1, "S", ObjectKind::BoundedSemaphore, Some(1))
        .at(1, 1, Op::AcquireBegin { o: 1 })
        .at(1, 1, acq_end(1))
        .at(2, 1, rel(1));
    assert!(check::check_all(&s.0).is_empty());
    let s = s.at(3, 1, rel(1)).at(4, 1, acq_end(1));
    let v = check::check_all(&s.0);
    assert!(v[0].contains("released more than acquired"), "{v:?}");
    assert!(v[1].contains("without its begin"), "{v:?}");
}

#[test]
fn checker_lets_a_plain_semaphore_gain_slots_by_release() {
    // Semaphore(0) as a signal: released first, then taken twice.
    let s = S::new()
        .worker(1, "a")
        .object(1, "go", ObjectKind::Semaphore, Some(0))
        .at(1, 1, rel(1))
        .at(2, 1, rel(1))
        .at(3, 1, Op::AcquireBegin { o: 1 })
        .at(3, 1, acq_end(1))
        .at(4, 1, Op::AcquireBegin { o: 1 })
        .at(4, 1, acq_end(1));
    assert!(check::check_all(&s.0).is_empty());
    let s = s.at(5, 1, Op::AcquireBegin { o: 1 }).at(5, 1, acq_end(1));
    let v = check::check_all(&s.0);
    assert!(v[0].contains("more than its 2 slots"), "{v:?}");
}

#[test]
fn timeline_cells_show_blocked_between_running() {
    let w = S::new()
        .worker(1, "a")
        .worker(2, "b")
        .object(1, "A", ObjectKind::Lock, None)
        .at(0, 1, Op::AcquireBegin { o: 1 })
        .at(0, 1, acq_end(1))
        .at(100, 2, Op::AcquireBegin { o: 1 })
        .at(200, 1, rel(1))
        .at(200, 2, acq_end(1))
        .world();
    let cells = w.worker(2).unwrap().timeline.cells(300, 100, 3);
    assert_eq!(cells, vec![Phase::Running, Phase::Blocked, Phase::Critical]);
}

#[test]
fn checker_lets_an_abandoned_lock_be_taken_and_pipes_deliver_in_order() {
    let send = |item: &str| Op::Send {
        o: 2,
        item: item.into(),
    };
    let recv = |item: &str| Op::RecvEnd {
        o: 2,
        item: Some(item.into()),
        ok: true,
    };
    let s = S::new()
        .worker(1, "a")
        .worker(2, "b")
        .object(1, "A", ObjectKind::Lock, None)
        .object(2, "p", ObjectKind::Pipe, None)
        // a dies holding A (killed -9): b may take it over.
        .at(1, 1, Op::AcquireBegin { o: 1 })
        .at(1, 1, acq_end(1))
        .at(
            2,
            1,
            Op::Exit {
                how: ExitHow::Killed,
                msg: None,
            },
        )
        .at(3, 2, Op::AcquireBegin { o: 1 })
        .at(3, 2, acq_end(1))
        // b sends x then y; c, at the other end, must get x first.
        .at(4, 2, send("x"))
        .at(4, 2, send("y"));
    assert!(
        check::check_all(&s.0).is_empty(),
        "{:?}",
        check::check_all(&s.0)
    );
    let s = s
        .worker(3, "c")
        .at(5, 3, Op::RecvBegin { o: 2 })
        .at(5, 3, recv("y"))
        .at(6, 3, Op::RecvBegin { o: 2 })
        .at(6, 3, recv("z"));
    let v = check::check_all(&s.0);
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].contains("received y, but x was sent first"), "{v:?}");
    assert!(v[1].contains("received z"), "{v:?}");
}

#[test]
fn checker_keeps_fifo_per_producer_process() {
    let put = |item: &str, depth| Op::PutEnd {
        o: 1,
        item: item.into(),
        depth,
        ok: true,
    };
    let get = |item: &str, depth| Op::GetEnd {
        o: 1,
        item: Some(item.into()),
        depth,
        ok: true,
    };
    // Each end after its begin, both from process `pid`.
    let from = |s: S, pid: u32, t, w, op: Op| {
        let begin = match &op {
            Op::PutEnd { item, .. } => Op::PutBegin {
                o: 1,
                item: item.clone(),
            },
            _ => Op::GetBegin { o: 1 },
        };
        let mut s = s.at(t, w, begin).at(t, w, op);
        let n = s.0.len();
        for e in &mut s.0[n - 2..] {
            e.pid = pid;
        }
        s
    };
    let base = || {
        let s = S::new()
            .worker(1, "a")
            .worker(2, "b")
            .object(1, "q", ObjectKind::Queue, None);
        let s = from(s, 10, 1, 1, put("a1", 1));
        let s = from(s, 20, 2, 2, put("b1", 2));
        from(s, 10, 3, 1, put("a2", 3))
    };
    // Another process's oldest item may come first (each process feeds the pipe on its own)...
    let s = from(base(), 1, 4, 1, get("b1", 2));
    assert!(
        check::check_all(&s.0).is_empty(),
        "{:?}",
        check::check_all(&s.0)
    );
    // ... but never one of a producer ahead of that producer's older item.
    let s = from(base(), 1, 4, 1, get("a2", 2));
    let v = check::check_all(&s.0);
    assert!(v[0].contains("order says a1"), "{v:?}");
}

/// An acquire that goes through extends the timeline once (Critical); the segments and time
/// totals must be those of the two steps it replaces (Running, then Critical at the same
/// instant), in a full ring too: checked against a timeline given the two steps.
#[test]
fn one_step_acquire_keeps_the_two_steps_timeline() {
    use Phase::*;
    // (begin, end) of the acquire of lock 2, while holding lock 1 or not.
    for history in [2, 3, 4, 64] {
        for (begin, end) in [(10, 20), (10, 10)] {
            for nested in [false, true] {
                let mut s = S::new()
                    .worker(1, "a")
                    .object(1, "A", ObjectKind::Lock, None)
                    .object(2, "B", ObjectKind::Lock, None);
                // The reference: what the fold pushed, step by step, before.
                let mut r = Timeline::new(history);
                r.push(0, Idle);
                r.push(0, Running);
                if nested {
                    s = s.at(5, 1, Op::AcquireBegin { o: 1 }).at(5, 1, acq_end(1));
                    r.push(5, Blocked);
                    r.push(5, Running);
                    r.push(5, Critical);
                }
                s = s
                    .at(begin, 1, Op::AcquireBegin { o: 2 })
                    .at(end, 1, acq_end(2))
                    .at(30, 1, rel(2));
                // Blocked on B while holding A is holding.
                r.push_held(begin, Blocked, nested);
                r.push(end, if nested { Critical } else { Running });
                r.push(end, Critical);
                r.push(30, if nested { Critical } else { Running });
                let mut w = World::new(Limits { history, log: 16 });
                for e in &s.0 {
                    w.apply(e);
                }
                let tl = &w.worker(1).unwrap().timeline;
                let case = (history, begin, end, nested);
                let segs = |t: &Timeline| t.segments().collect::<Vec<_>>();
                assert_eq!(segs(tl), segs(&r), "{case:?}");
                assert_eq!(tl.spent(40), r.spent(40), "{case:?}");
            }
        }
    }
}

/// Ids up to 2^20 - 1 are taken (placeholders made); a worker or an object id of 2^20 or
/// more is refused with a problem, whichever of the two it is.
#[test]
fn ids_past_the_limit_are_refused() {
    let big = 1 << 20;
    let mut w = World::default();
    let ev = |w: u32, op| Event {
        t: 1,
        pid: 1,
        w,
        op,
    };
    w.apply(&ev(big, Op::Start));
    w.apply(&ev(1, Op::AcquireBegin { o: big }));
    w.apply(&ev(big | 1, Op::AcquireBegin { o: 1 }));
    assert_eq!(w.problems.len(), 3, "{:?}", w.problems);
    assert!(w.problems.iter().all(|p| p.contains("id too large")));
    assert!(w.workers.is_empty() && w.objects.is_empty() && w.log.is_empty());
    w.apply(&ev(big - 1, Op::AcquireBegin { o: big - 1 }));
    assert_eq!(
        (w.workers.len(), w.objects.len(), w.problems.len()),
        (1, 1, 3)
    );
}

/// A thread that sleeps or waits while holding a lock is holding it: its share of time
/// holding counts the sleep, as the lane and the details say.
#[test]
fn a_sleep_while_holding_a_lock_counts_as_holding() {
    const MS: u64 = 1_000_000;
    let s = S::new()
        .worker(1, "t1")
        .object(1, "lock", ObjectKind::Lock, None)
        .at(0, 1, Op::AcquireBegin { o: 1 })
        .at(0, 1, acq_end(1))
        .at(0, 1, Op::SleepBegin { ms: 100 })
        .at(100 * MS, 1, Op::SleepEnd)
        .at(100 * MS, 1, rel(1))
        .at(100 * MS, 1, Op::SleepBegin { ms: 100 });
    let mut w = s.world();
    w.advance(200 * MS);
    let t1 = w.worker(1).unwrap();
    assert_eq!(t1.timeline.time_held(0, 200 * MS), 100 * MS);
    let shares = crate::model::spark::shares(t1, 200 * MS);
    assert_eq!((shares.holding, shares.sleeping), (50, 100));
}

/// A release whose acquire the viewer never got (its reader dropped events) is a problem of
/// the stream before a gap, and only counted after one: the gap explains it.
#[test]
fn what_no_longer_adds_up_after_a_gap_is_counted_not_said() {
    let s = S::new()
        .worker(0, "main")
        .object(1, "lock", ObjectKind::Lock, None)
        .at(1, 0, rel(1));
    let w = s.world();
    assert_eq!(w.problems.len(), 1, "{:?}", w.problems);
    let mut w = S::new()
        .worker(0, "main")
        .object(1, "lock", ObjectKind::Lock, None)
        .world();
    w.gap();
    w.apply(&Event {
        t: 1,
        pid: 1,
        w: 0,
        op: rel(1),
    });
    assert!(w.problems.is_empty(), "{:?}", w.problems);
    assert_eq!(w.unsure, 1);
}

#[test]
fn an_array_keeps_its_cells_within_its_length_and_a_value_its_number() {
    use crate::event::Num;
    let write = |o, value: Num, index| Op::Write { o, value, index };
    let w = S::new()
        .worker(0, "main")
        .object(1, "cells", ObjectKind::Value, Some(3))
        .object(2, "progress", ObjectKind::Value, None)
        .object(3, "loose", ObjectKind::Value, None)
        .at(1, 0, write(1, Num::Int(7), Some(2)))
        .at(2, 0, write(1, Num::Int(9), Some(3))) // past its length: not kept
        .at(3, 0, write(2, Num::Real(0.5), None))
        .at(4, 0, write(3, Num::Int(1), Some(5))) // no length declared: grows to the cell
        .at(5, 0, write(3, Num::Int(1), Some(u32::MAX))) // but not without bound
        .world();
    let state = |o: u32| &w.objects[o as usize - 1].state;
    assert_eq!(
        state(1),
        &ObjectState::Value {
            value: Num::Int(0),
            cells: vec![Num::Int(0), Num::Int(0), Num::Int(7)],
            last: Some(2),
        }
    );
    assert!(matches!(state(2), ObjectState::Value { value: Num::Real(x), .. } if *x == 0.5));
    assert!(
        matches!(state(3), ObjectState::Value { cells, last: Some(5), .. } if cells.len() == 6)
    );
}

#[test]
fn a_worker_parked_at_the_step_gate_is_drawn_parked_until_its_next_event() {
    let gate = Op::Gate {
        o: Some(1),
        next: "acquire".into(),
    };
    let w = S::new()
        .worker(0, "main")
        .worker(1, "t1")
        .object(1, "lock", ObjectKind::Lock, None)
        .at(10, 1, gate.clone())
        .at(50, 1, Op::AcquireBegin { o: 1 })
        .at(50, 1, acq_end(1))
        .at(70, 1, gate)
        .world();
    let t1 = &w.workers[1];
    assert_eq!(t1.timeline.phase_at(5), Phase::Running);
    assert_eq!(t1.timeline.phase_at(30), Phase::Parked);
    assert_eq!(t1.timeline.phase_at(60), Phase::Critical);
    // Parked again holding the lock: still drawn as holding it.
    assert_eq!(t1.timeline.phase_at(80), Phase::Critical);
    assert!(t1.parked);
    // The log says what the worker did, not that it waited for the user.
    assert!(w.log.iter().all(|e| !matches!(e.op, Op::Gate { .. })));
    // Time parked is not the program's: no share of running.
    let (spent, _) = t1.timeline.spent(50);
    assert_eq!(spent[Phase::Parked as usize], 40);
    // Nor an event the causes count: their numbering is the log's.
    assert_eq!(w.causes.seen(), w.log.len() as u64);
}
