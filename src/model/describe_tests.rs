//! The model's words (`describe`) and the order a queue's items come out in: plain English,
//! never a word twice, durations as precise as they need to be.

use super::describe::{self, duration, label, left, short_label};
use super::object::ObjectState;
use super::world::World;
use crate::event::{Event, ObjectKind, Op, WorkerKind};

const MS: u64 = 1_000_000;

fn ev(t: u64, w: u32, op: Op) -> Event {
    Event { t, pid: 1, w, op }
}

fn worker(w: u32, name: &str) -> Event {
    let kind = if w == 0 {
        WorkerKind::Main
    } else {
        WorkerKind::Thread
    };
    ev(
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
}

fn object(o: u32, name: &str, kind: ObjectKind) -> Event {
    ev(
        0,
        0,
        Op::Object {
            o,
            name: name.into(),
            kind,
            capacity: Some(0),
        },
    )
}

fn world(events: &[Event]) -> World {
    let mut w = World::default();
    for e in events {
        w.apply(e);
    }
    w
}

/// The first word said twice in a row in `s`, if any ("lock lock").
fn doubled(s: &str) -> Option<String> {
    let words: Vec<String> = s.split_whitespace().map(str::to_lowercase).collect();
    words
        .windows(2)
        .find(|p| p[0] == p[1])
        .map(|p| format!("{} {}", p[0], p[1]))
}

#[test]
fn no_object_kind_says_its_kind_word_twice() {
    let mut names = vec!["A", "lock-9", "proc-1 pipe", "queue-8", "results", "fifo"];
    for kind in ObjectKind::ALL {
        names.extend(describe::full_kind_word(*kind).split(' '));
        names.extend(describe::short_kind_word(*kind).split(' '));
    }
    for kind in ObjectKind::ALL {
        for name in &names {
            for words in [
                label(*kind, name).to_string(),
                describe::full_label(*kind, name).to_string(),
                short_label(*kind, name).to_string(),
            ] {
                assert_eq!(doubled(&words), None, "{kind:?} named {name:?}: {words}");
            }
            // The log says it as the declaration and as an operation on it.
            let w = world(&[worker(0, "main"), object(1, name, *kind)]);
            let new = describe::event(&w, w.log.iter().next_back().expect("logged"));
            assert_eq!(doubled(&new), None, "{new}");
            let get = describe::event(&w, &ev(0, 0, Op::GetBegin { o: 1 }));
            assert_eq!(doubled(&get), None, "{get}");
        }
    }
}

#[test]
fn an_object_named_for_its_kind_reads_as_one_thing() {
    let say = |kind, name| label(kind, name).to_string();
    assert_eq!(say(ObjectKind::Lock, "A"), "lock A");
    assert_eq!(say(ObjectKind::Lock, "lock"), "lock");
    assert_eq!(say(ObjectKind::RLock, "lock"), "rlock");
    assert_eq!(say(ObjectKind::RLock, "A"), "rlock A");
    assert_eq!(say(ObjectKind::Lock, "lock-9"), "lock-9");
    assert_eq!(say(ObjectKind::Pipe, "proc-1 pipe"), "proc-1 pipe");
    assert_eq!(say(ObjectKind::Queue, "fifo"), "fifo queue");
    assert_eq!(say(ObjectKind::LifoQueue, "lifo"), "lifo queue");
    assert_eq!(say(ObjectKind::LifoQueue, "queue-8"), "lifo queue-8");
    assert_eq!(say(ObjectKind::PriorityQueue, "priority"), "priority queue");
    // In running text a bounded semaphore is a semaphore; its card says bounded.
    assert_eq!(say(ObjectKind::BoundedSemaphore, "sem"), "semaphore sem");
    let card = describe::full_label(ObjectKind::BoundedSemaphore, "sem").to_string();
    assert_eq!(card, "bounded semaphore sem");
    let w = world(&[worker(0, "main"), object(1, "lifo", ObjectKind::LifoQueue)]);
    let new = describe::event(&w, w.log.iter().next_back().expect("logged"));
    assert_eq!(new, "new lifo queue (unbounded)");
}

#[test]
fn counts_read_as_english() {
    assert_eq!(describe::times(0), "0 times");
    assert_eq!(describe::times(1), "once");
    assert_eq!(describe::times(2), "twice");
    assert_eq!(describe::times(7), "7 times");
}

#[test]
fn durations_have_the_precision_they_need() {
    assert_eq!(duration(0), "0s");
    assert_eq!(duration(1_500_000), "1.5ms");
    assert_eq!(duration(50 * MS), "50ms");
    assert_eq!(duration(350 * MS), "0.35s");
    assert_eq!(duration(500 * MS), "0.5s");
    assert_eq!(duration(2_500 * MS), "2.5s");
    assert_eq!(duration(3_000 * MS), "3s");
    assert_eq!(duration(12_340 * MS), "12.3s");
    assert_eq!(describe::elapsed(20 * MS), "20ms");
    assert_eq!(describe::elapsed(2_340 * MS), "2.3s");
    // A countdown in tenths of a second, then in milliseconds.
    assert_eq!(left(30 * MS, 50 * MS), "30ms");
    assert_eq!(left(120 * MS, 350 * MS), "0.1s");
    assert_eq!(left(0, 3_000 * MS), "0ms");
    // The end of a long wait in milliseconds, never "0.0s" (nor "0ms") while some is left.
    assert_eq!(left(50 * MS, 350 * MS), "50ms");
    assert_eq!(left(MS / 3, 3_000 * MS), "1ms");
    assert_eq!(left(99 * MS, 1_000 * MS), "99ms");
    assert_eq!(left(100 * MS, 1_000 * MS), "0.1s");
}

#[test]
fn a_short_sleep_says_how_short() {
    let mut w = world(&[
        worker(0, "main"),
        ev(10 * MS, 0, Op::Start),
        ev(10 * MS, 0, Op::SleepBegin { ms: 50 }),
    ]);
    w.advance(30 * MS);
    let main = w.worker(0).expect("main");
    assert_eq!(describe::state(&w, main), "sleeping 50ms (30ms left)");
    let sleeps = describe::event(&w, &ev(0, 0, Op::SleepBegin { ms: 50 }));
    assert_eq!(sleeps, "sleeps 50ms");
}

/// A narrow lane says a sleep one way whichever brief form it takes, and a panic without
/// its message (the details and the log have it).
#[test]
fn narrow_lanes_say_a_state_one_way() {
    let mut w = world(&[
        worker(0, "main"),
        worker(1, "doomed"),
        ev(10 * MS, 0, Op::Start),
        ev(10 * MS, 0, Op::SleepBegin { ms: 50 }),
        ev(10 * MS, 1, Op::Start),
        ev(
            20 * MS,
            1,
            Op::Exit {
                how: crate::event::ExitHow::Panic,
                msg: Some("something went wrong".into()),
            },
        ),
    ]);
    w.advance(30 * MS);
    let main = w.worker(0).expect("main");
    assert_eq!(describe::brief_state(&w, main), "sleeps, 30ms left");
    assert_eq!(describe::briefest_state(&w, main), "sleeps, 30ms left");
    let doomed = w.worker(1).expect("doomed");
    assert_eq!(describe::brief_state(&w, doomed), "failed");
    assert_eq!(describe::state(&w, doomed), "failed: something went wrong");
}

#[test]
fn a_pipe_is_received_from_in_the_lane_and_the_log_alike() {
    let w = world(&[
        worker(0, "main"),
        ev(0, 0, Op::Start),
        object(1, "pipe", ObjectKind::Pipe),
        ev(MS, 0, Op::RecvBegin { o: 1 }),
    ]);
    let main = w.worker(0).expect("main");
    assert_eq!(
        describe::state(&w, main),
        "blocked on recv from pipe (empty)"
    );
    let line = describe::event(&w, w.log.iter().next_back().expect("logged"));
    assert_eq!(line, "recv from pipe");
    assert_eq!(describe::next_op(&w, "recv", Some(1)), "recv from pipe");
}

#[test]
fn log_lines_line_up_whatever_the_names() {
    let w = world(&[
        worker(0, "main"),
        worker(1, "priority-getter"),
        object(1, "q", ObjectKind::Queue),
    ]);
    let a = describe::log_line(&w, &ev(0, 0, Op::Start));
    let b = describe::log_line(&w, &ev(0, 1, Op::Start));
    assert_eq!(a.find("starts"), b.find("starts"), "{a}\n{b}");
    assert!(b.contains("priority-getter  starts"), "{b}");
}

/// A queue of `kind` after puts of `items` in that order (and gets of `got`): its items as
/// the model keeps them.
fn items_after(kind: ObjectKind, items: &[&str], got: &[&str]) -> Vec<String> {
    let mut events = vec![worker(0, "main"), object(1, "q", kind)];
    for (i, it) in items.iter().enumerate() {
        events.push(ev(
            0,
            0,
            Op::PutEnd {
                o: 1,
                item: it.to_string(),
                depth: i as u64 + 1,
                ok: true,
            },
        ));
    }
    for (i, it) in got.iter().enumerate() {
        events.push(ev(
            0,
            0,
            Op::GetEnd {
                o: 1,
                item: Some(it.to_string()),
                depth: (items.len() - i - 1) as u64,
                ok: true,
            },
        ));
    }
    let w = world(&events);
    match &w.object(1).expect("declared").state {
        ObjectState::Queue { items, .. } => items.iter().cloned().collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_fifo_queue_lists_its_items_in_put_order() {
    assert_eq!(
        items_after(ObjectKind::Queue, &["1", "2", "3"], &["1"]),
        ["2", "3"]
    );
}

#[test]
fn a_lifo_queue_lists_its_newest_item_first() {
    let items = ["1", "2", "3"];
    assert_eq!(
        items_after(ObjectKind::LifoQueue, &items, &[]),
        ["3", "2", "1"]
    );
    assert_eq!(
        items_after(ObjectKind::LifoQueue, &items, &["3"]),
        ["2", "1"]
    );
}

#[test]
fn a_priority_queue_lists_its_smallest_item_first() {
    let items = ["(4, 1)", "(2, 2)", "(10, 3)", "(1, 4)", "(2, 5)"];
    assert_eq!(
        items_after(ObjectKind::PriorityQueue, &items, &[]),
        ["(1, 4)", "(2, 2)", "(2, 5)", "(4, 1)", "(10, 3)"]
    );
    assert_eq!(
        items_after(ObjectKind::PriorityQueue, &items, &["(1, 4)"]),
        ["(2, 2)", "(2, 5)", "(4, 1)", "(10, 3)"]
    );
}

#[test]
fn a_long_lifo_queue_keeps_the_items_that_come_out_soonest() {
    let many: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let kept = items_after(ObjectKind::LifoQueue, &refs, &[]);
    assert_eq!(kept.len(), super::object::ITEMS_KEPT);
    assert_eq!(kept[0], "99");
}

/// The details' "woken" line agrees with the log: a worker waiting now, or whose wait ended
/// with no other worker's help, is never said to have "never had to wait".
#[test]
fn a_worker_that_waited_is_never_said_to_have_never_waited() {
    let mut events = vec![
        worker(0, "main"),
        worker(1, "t1"),
        worker(2, "t2"),
        object(1, "lock", ObjectKind::Lock),
        ev(0, 1, Op::Start),
        ev(0, 2, Op::Start),
        ev(MS, 1, Op::AcquireBegin { o: 1 }),
        ev(
            MS,
            1,
            Op::AcquireEnd {
                o: 1,
                ok: true,
                depth: None,
                value: None,
            },
        ),
        ev(2 * MS, 2, Op::AcquireBegin { o: 1 }),
    ];
    let unwoken = |events: &[Event], w| {
        let world = world(events);
        describe::unwoken(&world, world.worker(w).expect("declared"))
    };
    assert_eq!(unwoken(&events, 1), "never had to wait");
    assert_eq!(unwoken(&events, 2), "not yet (waiting now)");
    // t2 gives up (a timeout): it had to wait, and nobody woke it.
    events.push(ev(
        3 * MS,
        2,
        Op::AcquireEnd {
            o: 1,
            ok: false,
            depth: None,
            value: None,
        },
    ));
    assert_eq!(
        unwoken(&events, 2),
        "had to wait once; no other worker ended it"
    );
}

/// The outcome is the run's verdict: its log line names no worker, whoever stated it (in
/// `daemon`, the last worker killed), and its words line up with the others'.
#[test]
fn the_outcome_is_the_runs_not_a_workers() {
    let w = world(&[worker(0, "main"), worker(4, "task-4")]);
    let said = ev(
        0,
        4,
        Op::Outcome {
            text: "5 of 5 daemon workers were killed".into(),
            ok: true,
        },
    );
    let line = describe::log_line(&w, &said);
    assert!(!line.contains("task-4"), "{line}");
    let other = describe::log_line(&w, &ev(0, 4, Op::Start));
    assert_eq!(
        line.find("outcome"),
        other.find("starts"),
        "{line}\n{other}"
    );
}

/// A traced program's stderr (written by the viewer as pid 0) is nobody's words: its log
/// line names no thread and says it as it came; a thread's own `say` is still its own.
#[test]
fn a_programs_stderr_is_said_by_no_thread() {
    let mut world = World::default();
    world.apply(&worker(0, "main"));
    let line = |pid: u32, text: &str| {
        let e = Event {
            t: 0,
            pid,
            w: 0,
            op: Op::Say { text: text.into() },
        };
        describe::log_line(&world, &e)
    };
    let stderr = line(0, "stderr: ValueError: boom");
    assert!(!stderr.contains("main"), "{stderr}");
    assert!(
        stderr.trim_start().starts_with("0.00s") && stderr.ends_with("  stderr: ValueError: boom"),
        "{stderr}"
    );
    assert!(
        line(1, "hello").contains("main  says: hello"),
        "{}",
        line(1, "hello")
    );
}

#[test]
fn sizes_in_bytes_read_as_people_say_them() {
    let said: Vec<String> = [1, 16, 1023, 1024, 1536, 4096, 3 << 20, 5 << 30]
        .into_iter()
        .map(describe::bytes_words)
        .collect();
    assert_eq!(
        said,
        [
            "1 byte",
            "16 bytes",
            "1023 bytes",
            "1 KiB",
            "1.5 KiB",
            "4 KiB",
            "3 MiB",
            "5 GiB"
        ]
    );
}

/// A lock released while others wait for it is handed to the one that waited longest
/// (step mode's scenarios): a later waiter's words say who goes first, not just "waiting"
/// beside a lock the card calls free.
#[test]
fn a_waiter_behind_another_for_a_free_lock_says_who_is_first() {
    let start = |w| ev(0, w, Op::Start);
    let w = world(&[
        worker(0, "main"),
        worker(1, "t1"),
        worker(2, "t2"),
        object(1, "L", ObjectKind::Lock),
        start(1),
        start(2),
        ev(1, 1, Op::AcquireBegin { o: 1 }),
        ev(
            2,
            1,
            Op::AcquireEnd {
                o: 1,
                ok: true,
                depth: None,
                value: None,
            },
        ),
        ev(3, 2, Op::AcquireBegin { o: 1 }),
        ev(
            4,
            1,
            Op::Release {
                o: 1,
                depth: None,
                value: None,
            },
        ),
        ev(5, 1, Op::AcquireBegin { o: 1 }),
    ]);
    let t1 = w.worker(1).unwrap();
    assert_eq!(
        describe::state(&w, t1),
        "waiting for lock L (t2 is first in line)"
    );
    assert_eq!(
        describe::cant_go_brief(&w, t1),
        "can't go: t2 is first for L"
    );
    let t2 = w.worker(2).unwrap();
    assert_eq!(describe::state(&w, t2), "waiting for lock L");
}
