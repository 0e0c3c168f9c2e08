//! Who woke whom, the wait-for graph as a whole, sparklines and captions, on hand-written
//! streams.

use super::cause::Via;
use super::spark::{BUCKET_NS, SAMPLES};
use super::{World, caption, describe, graph};
use crate::event::{Event, ObjectKind, Op, WorkerKind};

const MS: u64 = 1_000_000;

/// A world and the events folded into it, event by event.
struct W {
    world: World,
    events: Vec<Event>,
}

impl W {
    fn new(workers: &[&str], objects: &[(&str, ObjectKind, Option<u64>)]) -> W {
        let mut w = W {
            world: World::default(),
            events: Vec::new(),
        };
        for (i, name) in workers.iter().enumerate() {
            let kind = if i == 0 {
                WorkerKind::Main
            } else {
                WorkerKind::Thread
            };
            let (name, daemon, parent) = (name.to_string(), false, None);
            w.at(
                0,
                i as u32,
                Op::Worker {
                    name,
                    kind,
                    daemon,
                    parent,
                    thread: None,
                },
            );
            w.at(0, i as u32, Op::Start);
        }
        for (o, (name, kind, capacity)) in objects.iter().enumerate() {
            let (o, name, kind, capacity) = (o as u32 + 1, name.to_string(), *kind, *capacity);
            w.at(
                0,
                0,
                Op::Object {
                    o,
                    name,
                    kind,
                    capacity,
                },
            );
        }
        w
    }

    fn at(&mut self, t: u64, w: u32, op: Op) -> &mut W {
        let ev = Event { t, pid: 1, w, op };
        self.world.apply(&ev);
        self.events.push(ev);
        self
    }

    fn acquire(&mut self, t: u64, w: u32, o: u32, wait: bool) -> &mut W {
        self.at(t, w, Op::AcquireBegin { o });
        if !wait {
            self.acquired(t, w, o);
        }
        self
    }

    fn acquired(&mut self, t: u64, w: u32, o: u32) -> &mut W {
        let (ok, depth, value) = (true, None, None);
        self.at(
            t,
            w,
            Op::AcquireEnd {
                o,
                ok,
                depth,
                value,
            },
        )
    }

    fn release(&mut self, t: u64, w: u32, o: u32) -> &mut W {
        let (depth, value) = (None, None);
        self.at(t, w, Op::Release { o, depth, value })
    }

    /// Every wake-up so far: (woken, waker, how).
    fn links(&self) -> Vec<(u32, u32, Via)> {
        let causes = &self.world.causes;
        causes
            .recent
            .iter()
            .map(|k| (k.woken, k.by, k.via))
            .collect()
    }

    /// The newest log line, in the log's words.
    fn last_line(&self) -> String {
        let n = self.world.causes.seen() - 1;
        let ev = self.world.log.back().expect("a logged event");
        describe::log_line_at(&self.world, ev, n)
    }
}

#[test]
fn a_release_wakes_the_longest_waiter_and_then_the_next() {
    let mut s = W::new(
        &["main", "j1", "j2", "j3"],
        &[("A", ObjectKind::Lock, None)],
    );
    s.acquire(10 * MS, 1, 1, false);
    s.acquire(20 * MS, 2, 1, true).acquire(30 * MS, 3, 1, true);
    s.release(100 * MS, 1, 1).acquired(100 * MS, 2, 1);
    s.release(200 * MS, 2, 1).acquired(210 * MS, 3, 1);
    let wakes: Vec<_> = s.world.causes.recent.iter().copied().collect();
    assert_eq!(wakes.len(), 2, "{wakes:?}");
    assert_eq!(
        (wakes[0].woken, wakes[0].by, wakes[0].via),
        (2, 1, Via::Release)
    );
    assert_eq!(
        (wakes[1].woken, wakes[1].by, wakes[1].by_t),
        (3, 2, 200 * MS)
    );
    assert_eq!(wakes[1].since, 30 * MS);
    assert!(
        s.last_line()
            .contains("j3    woke: j2 released A; acquired lock A")
    );
    assert_eq!(s.world.causes.unexplained, 0);
}

#[test]
fn an_acquire_that_goes_straight_through_is_no_wake_up() {
    let mut s = W::new(&["main", "j1", "j2"], &[("A", ObjectKind::Lock, None)]);
    s.acquire(10 * MS, 1, 1, false).release(20 * MS, 1, 1);
    s.acquire(30 * MS, 2, 1, false).release(40 * MS, 2, 1);
    assert!(s.world.causes.recent.is_empty());
    assert_eq!(s.world.causes.linked, 0);
}

#[test]
fn one_set_wakes_every_car_waiting_on_red() {
    let mut s = W::new(
        &["main", "lighter", "car-1", "car-2"],
        &[("light", ObjectKind::Event, None)],
    );
    s.at(10 * MS, 2, Op::WaitBegin { o: 1 });
    s.at(20 * MS, 3, Op::WaitBegin { o: 1 });
    s.at(500 * MS, 1, Op::Set { o: 1 });
    s.at(500 * MS, 2, Op::WaitEnd { o: 1, ok: true });
    assert!(s.last_line().ends_with("car-1    woke: lighter set light"));
    s.at(501 * MS, 3, Op::WaitEnd { o: 1, ok: true });
    let by: Vec<_> = s
        .world
        .causes
        .recent
        .iter()
        .map(|k| (k.woken, k.by))
        .collect();
    assert_eq!(by, [(2, 1), (3, 1)]);
    // On green a car passes without waiting: no wake-up.
    s.at(600 * MS, 2, Op::WaitBegin { o: 1 });
    s.at(600 * MS, 2, Op::WaitEnd { o: 1, ok: true });
    assert_eq!(s.world.causes.linked, 2);
}

#[test]
fn a_put_wakes_a_getter_and_a_get_wakes_a_putter() {
    let mut s = W::new(
        &["main", "producer", "consumer"],
        &[("jobs", ObjectKind::Queue, Some(1))],
    );
    s.at(10 * MS, 2, Op::GetBegin { o: 1 });
    let item = || "j1".to_string();
    s.at(20 * MS, 1, Op::PutBegin { o: 1, item: item() });
    s.at(
        20 * MS,
        1,
        Op::PutEnd {
            o: 1,
            item: item(),
            depth: 1,
            ok: true,
        },
    );
    s.at(
        30 * MS,
        1,
        Op::PutBegin {
            o: 1,
            item: "j2".into(),
        },
    );
    assert_eq!(
        caption::caption(&s.world).as_deref(),
        Some("producer blocks: jobs is full (1/1)")
    );
    s.at(
        40 * MS,
        2,
        Op::GetEnd {
            o: 1,
            item: Some(item()),
            depth: 0,
            ok: true,
        },
    );
    s.at(
        40 * MS,
        1,
        Op::PutEnd {
            o: 1,
            item: "j2".into(),
            depth: 1,
            ok: true,
        },
    );
    let k = s.links();
    assert_eq!(k, [(2, 1, Via::Put), (1, 2, Via::Get)]);
    assert_eq!(
        caption::caption(&s.world).as_deref(),
        Some("producer goes on: consumer took from jobs (after 10ms)")
    );
}

#[test]
fn a_notify_wakes_one_condition_waiter_and_an_exit_ends_a_join() {
    let mut s = W::new(
        &["main", "a", "b", "c"],
        &[("cond", ObjectKind::Condition, None)],
    );
    s.at(10 * MS, 1, Op::WaitBegin { o: 1 });
    s.at(10 * MS, 2, Op::WaitBegin { o: 1 });
    s.at(20 * MS, 0, Op::JoinBegin { target: 3 });
    s.at(30 * MS, 3, Op::Notify { o: 1, n: 1 });
    s.at(30 * MS, 1, Op::WaitEnd { o: 1, ok: true });
    s.at(
        40 * MS,
        3,
        Op::Exit {
            how: crate::event::ExitHow::Ok,
            msg: None,
        },
    );
    s.at(
        40 * MS,
        0,
        Op::JoinEnd {
            target: 3,
            ok: true,
        },
    );
    let k = s.links();
    assert_eq!(k, [(1, 3, Via::Notify), (0, 3, Via::Exit)]);
    assert!(
        s.last_line().ends_with("woke: c ended"),
        "{}",
        s.last_line()
    );
}

#[test]
fn a_partial_deadlock_is_flagged_while_a_third_worker_still_runs() {
    let mut s = W::new(
        &["main", "left", "right", "ticker"],
        &[("A", ObjectKind::Lock, None), ("B", ObjectKind::Lock, None)],
    );
    s.acquire(10 * MS, 1, 1, false)
        .acquire(10 * MS, 2, 2, false);
    s.at(20 * MS, 0, Op::JoinBegin { target: 1 });
    s.acquire(100 * MS, 1, 2, true);
    assert!(s.world.deadlock.is_none(), "one wait is no cycle");
    s.acquire(110 * MS, 2, 1, true);
    assert!(s.world.deadlock.is_some(), "flagged the moment it forms");
    // The ticker goes on; the cycle stays flagged.
    for i in 0..5 {
        s.at(200 * MS + i * 100 * MS, 3, Op::SleepBegin { ms: 50 });
        s.at(250 * MS + i * 100 * MS, 3, Op::SleepEnd);
    }
    let g = graph::graph(&s.world);
    assert_eq!(g.stuck, [0, 1, 2], "main joins a stuck worker: stuck too");
    assert_eq!(g.free, [3]);
    assert_eq!(g.cycle.len(), 2);
    let rows: Vec<_> = g
        .edges
        .iter()
        .map(|e| (e.waiter, e.holders.clone(), e.cycle))
        .collect();
    assert_eq!(
        rows,
        [(0, vec![1], false), (1, vec![2], true), (2, vec![1], true)]
    );
    assert_eq!(
        graph::verdict(&s.world, &g),
        "DEADLOCK: main, left, right stuck for good; still going: ticker"
    );
}

#[test]
fn a_sparkline_rolls_in_fixed_memory_and_holds_its_level() {
    let mut s = W::new(&["main", "p"], &[("q", ObjectKind::Queue, Some(5))]);
    for i in 0..1000u64 {
        let depth = i % 5 + 1;
        let t = i * BUCKET_NS / 2;
        s.at(
            t,
            1,
            Op::PutEnd {
                o: 1,
                item: format!("x{i}"),
                depth,
                ok: true,
            },
        );
    }
    let spark = &s.world.objects[0].spark;
    let now = s.world.t;
    assert_eq!(
        spark.series(now, 100).len(),
        SAMPLES,
        "no more than the ring"
    );
    assert_eq!(spark.level(), 5);
    // Long after the last change, the series is the level now.
    let later = spark.series(now + 100 * BUCKET_NS, 8);
    assert_eq!(later, vec![5; 8]);
    let sizes = std::mem::size_of_val(spark);
    assert!(sizes < 256, "{sizes} bytes");
}

#[test]
fn shares_split_a_life_into_running_blocked_and_sleeping() {
    let mut s = W::new(&["main", "a"], &[("A", ObjectKind::Lock, None)]);
    // Started at 0: runs 1 s, sleeps 2 s, waits 1 s for main's lock.
    s.acquire(0, 0, 1, false);
    s.at(1000 * MS, 1, Op::SleepBegin { ms: 2000 });
    s.at(3000 * MS, 1, Op::SleepEnd);
    s.acquire(3000 * MS, 1, 1, true);
    s.world.advance(4000 * MS);
    let a = &s.world.workers[1];
    let sh = super::spark::shares(a, s.world.t);
    assert_eq!((sh.running, sh.sleeping, sh.blocked), (25, 50, 25));
}

#[test]
fn large_ids_cost_no_more_than_small_ones() {
    let mut s = W::new(&["main"], &[]);
    let (w, o) = (999_999, 999_998);
    let (name, kind, capacity) = ("far".to_string(), ObjectKind::Lock, None);
    s.at(
        0,
        0,
        Op::Object {
            o,
            name,
            kind,
            capacity,
        },
    );
    s.acquire(10 * MS, 0, o, false).acquire(20 * MS, w, o, true);
    s.release(30 * MS, 0, o).acquired(30 * MS, w, o);
    assert_eq!(s.links(), [(w, 0, Via::Release)]);
    let (objects, workers) = s.world.causes.tables();
    assert!(objects <= 1 && workers <= 2, "{objects} {workers}");
}
