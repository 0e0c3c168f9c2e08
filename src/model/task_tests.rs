//! Tasks on one thread: who holds the thread, the hand-off at an await, a task frozen
//! behind a thread kept without awaiting, and a task's ends in words.

use super::describe;
use super::task;
use super::waitfor;
use super::world::World;
use crate::event::{Event, ExitHow, ObjectKind, Op, WorkerKind};

const S: u64 = 1_000_000_000;

fn ev(t: u64, w: u32, op: Op) -> Event {
    Event { t, pid: 1, w, op }
}

fn declare(w: u32, name: &str, kind: WorkerKind, thread: Option<u32>) -> Event {
    ev(
        0,
        w,
        Op::Worker {
            name: name.into(),
            kind,
            daemon: false,
            parent: thread,
            thread,
        },
    )
}

/// main (0) runs tasks a (1) and b (2); lock L (1) exists.
fn world() -> World {
    let mut w = World::default();
    for e in [
        declare(0, "main", WorkerKind::Main, None),
        ev(0, 0, Op::Start),
        declare(1, "a", WorkerKind::Task, Some(0)),
        declare(2, "b", WorkerKind::Task, Some(0)),
        ev(
            0,
            0,
            Op::Object {
                o: 1,
                name: "L".into(),
                kind: ObjectKind::Lock,
                capacity: None,
            },
        ),
    ] {
        w.apply(&e);
    }
    w
}

fn state(w: &World, id: u32) -> String {
    describe::state(w, w.worker(id).expect("declared"))
}

#[test]
fn a_task_is_a_lane_under_its_thread() {
    let w = world();
    assert_eq!(w.tasks, 2);
    let a = w.worker(1).expect("a");
    assert_eq!((a.kind, a.thread), (WorkerKind::Task, Some(0)));
    let names: Vec<_> = task::tasks_of(&w, 0).map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let line = describe::event(&w, &declare(1, "a", WorkerKind::Task, Some(0)));
    assert_eq!(line, "new task a on main");
}

#[test]
fn the_thread_says_which_task_holds_it_and_an_await_hands_it_over() {
    let mut w = world();
    w.apply(&ev(0, 1, Op::Start));
    assert_eq!(task::holder(&w, 0).map(|t| t.id), Some(1));
    assert_eq!(state(&w, 0), "running task a");
    assert_eq!(state(&w, 1), "running on main");
    // a awaits its sleep: the thread is free, and b takes it.
    w.apply(&ev(S / 10, 1, Op::SleepBegin { ms: 1000 }));
    assert!(task::holder(&w, 0).is_none());
    assert_eq!(state(&w, 1), "awaiting sleep 1s (1.0s left)");
    w.apply(&ev(S / 10, 2, Op::Start));
    assert_eq!(state(&w, 0), "running task b");
}

#[test]
fn a_task_awaiting_a_lock_says_who_holds_it_and_who_woke_it() {
    let mut w = world();
    w.apply(&ev(0, 1, Op::Start));
    w.apply(&ev(0, 1, Op::AcquireBegin { o: 1 }));
    w.apply(&ev(
        0,
        1,
        Op::AcquireEnd {
            ok: true,
            o: 1,
            depth: None,
            value: None,
        },
    ));
    w.apply(&ev(1, 1, Op::SleepBegin { ms: 500 }));
    w.apply(&ev(2, 2, Op::Start));
    w.apply(&ev(3, 2, Op::AcquireBegin { o: 1 }));
    assert_eq!(state(&w, 2), "awaiting lock L (held by a)");
    assert_eq!(waitfor::waits_for(&w, 2), Some(1));
    w.apply(&ev(S / 2, 1, Op::SleepEnd));
    w.apply(&ev(
        S / 2,
        1,
        Op::Release {
            o: 1,
            depth: None,
            value: None,
        },
    ));
    w.apply(&ev(
        S / 2,
        1,
        Op::Exit {
            how: ExitHow::Ok,
            msg: None,
        },
    ));
    let end = ev(
        S / 2,
        2,
        Op::AcquireEnd {
            ok: true,
            o: 1,
            depth: None,
            value: None,
        },
    );
    w.apply(&end);
    let line = describe::log_line_at(&w, &end, w.causes.seen() - 1);
    assert!(line.contains("woke: a released L"), "{line}");
    assert_eq!(state(&w, 1), "done");
}

#[test]
fn a_thread_kept_without_awaiting_freezes_the_other_tasks() {
    let mut w = world();
    w.apply(&ev(0, 1, Op::Start));
    w.apply(&ev(0, 1, Op::SleepBegin { ms: 1000 }));
    w.apply(&ev(0, 2, Op::Start));
    // b calls a plain sleep: the thread itself sleeps, and b keeps it.
    w.apply(&ev(0, 0, Op::SleepBegin { ms: 3000 }));
    w.advance(S / 2);
    assert!(state(&w, 1).starts_with("awaiting"), "{}", state(&w, 1));
    w.advance(2 * S);
    assert_eq!(state(&w, 1), "frozen: b keeps main");
    assert_eq!(task::frozen_by(&w, w.worker(1).expect("a")), Some(2));
    // Once the thread is back, a's lane shows the wait past its deadline as blocked.
    w.apply(&ev(3 * S, 0, Op::SleepEnd));
    w.apply(&ev(3 * S, 2, Op::SleepBegin { ms: 10 }));
    w.apply(&ev(3 * S, 1, Op::SleepEnd));
    let cells = w
        .worker(1)
        .expect("a")
        .timeline
        .cells(3 * S, 3 * S / 10, 10);
    assert_eq!(cells[2], super::timeline::Phase::Sleeping, "{cells:?}");
    assert_eq!(cells[5], super::timeline::Phase::Blocked, "{cells:?}");
}

#[test]
fn a_thread_keeping_a_task_frozen_says_so() {
    let mut w = world();
    w.apply(&ev(0, 1, Op::Start));
    w.apply(&ev(0, 1, Op::SleepBegin { ms: 1000 }));
    w.apply(&ev(0, 2, Op::Start));
    w.apply(&ev(0, 0, Op::SleepBegin { ms: 3000 }));
    w.advance(2 * S);
    let main = state(&w, 0);
    assert!(
        main.starts_with("b keeps it, no await: sleeping 3s"),
        "{main}"
    );
}

#[test]
fn a_tasks_ends_read_as_done_cancelled_and_failed() {
    let mut w = world();
    w.apply(&ev(0, 1, Op::Start));
    w.apply(&ev(
        1,
        1,
        Op::Exit {
            how: ExitHow::Cancelled,
            msg: None,
        },
    ));
    w.apply(&ev(1, 2, Op::Start));
    w.apply(&ev(
        2,
        2,
        Op::Exit {
            how: ExitHow::Panic,
            msg: Some("boom".into()),
        },
    ));
    assert_eq!(state(&w, 1), "cancelled");
    assert_eq!(state(&w, 2), "failed: boom");
    assert!(w.finished() || !w.worker(0).expect("main").is_done());
}

#[test]
fn a_task_on_the_wire_names_its_thread() {
    let line = r#"{"t":0,"w":3,"op":"worker","name":"fetch-1","kind":"task","thread":0}"#;
    let e = crate::wire::decode(line).expect("a task declaration");
    assert!(matches!(
        e.op,
        Op::Worker {
            kind: WorkerKind::Task,
            thread: Some(0),
            ..
        }
    ));
    let bad = r#"{"t":0,"w":3,"op":"worker","name":"fetch-1","kind":"task"}"#;
    let err = crate::wire::decode(bad).expect_err("a task without its thread");
    assert!(err.contains("thread"), "{err}");
}

#[test]
fn the_checker_takes_tasks_like_any_worker() {
    let evs = [
        declare(0, "main", WorkerKind::Main, None),
        ev(0, 0, Op::Start),
        declare(1, "a", WorkerKind::Task, Some(0)),
        ev(1, 1, Op::Start),
        ev(1, 1, Op::SleepBegin { ms: 1 }),
        ev(2, 1, Op::SleepEnd),
        ev(
            3,
            1,
            Op::Exit {
                how: ExitHow::Ok,
                msg: None,
            },
        ),
        ev(
            4,
            0,
            Op::Exit {
                how: ExitHow::Ok,
                msg: None,
            },
        ),
    ];
    assert!(super::check::check_all(&evs).is_empty());
}

#[test]
fn a_threads_tasks_are_counted_by_state() {
    let mut w = world();
    w.apply(&declare(3, "c", WorkerKind::Task, Some(0)));
    w.apply(&ev(1, 1, Op::Start));
    w.apply(&ev(1, 1, Op::SleepBegin { ms: 10 }));
    w.apply(&ev(2, 2, Op::Start));
    w.apply(&ev(
        3,
        2,
        Op::Exit {
            how: ExitHow::Cancelled,
            msg: Some("pending when asyncio.run ended".into()),
        },
    ));
    let c = task::census(&w, 0);
    assert_eq!(
        (c.total, c.awaiting, c.cancelled, c.not_started),
        (3, 1, 1, 1)
    );
    assert_eq!(task::census(&w, 1).total, 0, "a task runs no tasks");
    assert_eq!(
        describe::census_words(&w, 0, true),
        "3 tasks on main: 1 awaiting, 1 not started, 1 cancelled"
    );
    assert_eq!(task::thread_of(w.worker(2).expect("b")), 0);
}

/// Two tasks each awaiting the async lock the other holds: a wait-for cycle, a deadlock
/// like two threads', though their thread itself is free (the loop waits on).
#[test]
fn two_tasks_awaiting_each_others_lock_are_a_deadlock() {
    let mut w = world();
    w.apply(&ev(
        0,
        0,
        Op::Object {
            o: 2,
            name: "M".into(),
            kind: ObjectKind::Lock,
            capacity: None,
        },
    ));
    let acquired = |o| Op::AcquireEnd {
        ok: true,
        o,
        depth: None,
        value: None,
    };
    for (task, first) in [(1, 1), (2, 2)] {
        w.apply(&ev(1, task, Op::Start));
        w.apply(&ev(1, task, Op::AcquireBegin { o: first }));
        w.apply(&ev(1, task, acquired(first)));
    }
    w.apply(&ev(2, 1, Op::AcquireBegin { o: 2 }));
    assert_eq!(w.deadlock, None);
    w.apply(&ev(2, 2, Op::AcquireBegin { o: 1 }));
    let cycle = w.deadlock.clone().expect("a cycle");
    assert_eq!(cycle.len(), 2);
    assert!(cycle.contains(&1) && cycle.contains(&2));
    assert_eq!(state(&w, 1), "awaiting lock M (held by b)");
}

#[test]
fn a_thread_that_sleeps_inside_a_task_is_said_to_block_the_loop() {
    let mut w = world();
    w.apply(&ev(0, 1, Op::Start));
    // b awaits (a task's own sleep: no thread blocked); a's thread sleeps without awaiting.
    w.apply(&ev(1, 2, Op::Start));
    w.apply(&ev(2, 2, Op::SleepBegin { ms: 100 }));
    w.apply(&ev(3, 1, Op::Start));
    w.apply(&ev(4, 0, Op::SleepBegin { ms: 3000 }));
    let lines: Vec<String> = w
        .log
        .iter()
        .enumerate()
        .map(|(n, e)| describe::log_line_at(&w, e, n as u64))
        .collect();
    let blocking: Vec<_> = lines
        .iter()
        .filter(|l| l.contains("blocks the loop"))
        .collect();
    assert_eq!(blocking.len(), 1, "{lines:#?}");
    assert!(
        blocking[0].contains("main  sleeps 3s in a (blocks the loop)"),
        "{lines:#?}"
    );
    // a awaits too; a sleep of the thread with no task holding it is said as it is (it is
    // not known to be the idle loop: a traced loop's own wait is no traced sleep).
    w.apply(&ev(5, 0, Op::SleepEnd));
    w.apply(&ev(6, 1, Op::SleepBegin { ms: 100 }));
    w.apply(&ev(7, 0, Op::SleepBegin { ms: 90 }));
    let n = w.log.len() as u64 - 1;
    let plain = describe::log_line_at(&w, w.log.iter().next_back().expect("logged"), n);
    assert!(plain.ends_with("main  sleeps 90ms"), "{plain}");
}
