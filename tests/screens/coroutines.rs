//! The `coroutines` screen at 80×24, from the real scenario's seeded stream: tasks as lanes
//! under their thread, two seconds into the plain sleep that keeps the thread, so the
//! other tasks' lanes say they are frozen and the thread's lane says in which task it sleeps.

use crate::{Shot, assert_screen, contains_all};
use std::process::Command;
use threadlanes::event::Op;
use threadlanes::model::World;
use threadlanes::wire;

const S: u64 = 1_000_000_000;

/// The `blocking` version's world two seconds into fetch-3's plain sleep.
fn frozen_world() -> World {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args([
            "run",
            "coroutines",
            "--variant",
            "blocking",
            "--set",
            "tasks=6",
        ])
        .args(["--seed", "3", "--speed", "200", "--headless", "--json"])
        .output()
        .expect("the binary runs");
    let events: Vec<_> = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| wire::decode(l).expect("a valid line"))
        .collect();
    let block = events
        .iter()
        .find(|e| e.w == 0 && matches!(e.op, Op::SleepBegin { ms: 3000 }))
        .expect("main sleeps inside a task")
        .t;
    let cut = block + 2 * S;
    let mut world = World::default();
    for e in events.iter().filter(|e| e.t <= cut) {
        world.apply(e);
    }
    world.advance(cut);
    world
}

#[test]
fn coroutines_screen_80x24() {
    let world = frozen_world();
    let info = threadlanes::scenarios::find("coroutines")
        .expect("in the catalogue")
        .info;
    let s = assert_screen!(Shot::run(&world, &info).size(80, 24));
    contains_all(&s, &["fetch-0", "task", "frozen"]);
}

/// Thousands of tasks at 80×24: the lanes page through them, the selected one in view, and
/// the first row counts the thread's tasks by state.
#[test]
fn thousands_of_tasks_are_counted_above_their_lanes() {
    use threadlanes::event::{Event, ExitHow, WorkerKind};
    let ev = |t: u64, w: u32, op: Op| Event { t, pid: 1, w, op };
    let declare = |name: String, kind, thread| Op::Worker {
        name,
        kind,
        daemon: false,
        parent: thread,
        thread,
    };
    let mut world = World::default();
    world.apply(&ev(0, 0, declare("main".into(), WorkerKind::Main, None)));
    world.apply(&ev(0, 0, Op::Start));
    for w in 1..=2000 {
        let op = declare(format!("fetch-{w}"), WorkerKind::Task, Some(0));
        world.apply(&ev(w as u64, w, op));
        world.apply(&ev(w as u64, w, Op::Start));
        world.apply(&ev(w as u64, w, Op::SleepBegin { ms: 1000 }));
    }
    for w in 1..=500 {
        world.apply(&ev(S + w as u64, w, Op::SleepEnd));
        let how = if w % 100 == 0 {
            ExitHow::Panic
        } else {
            ExitHow::Ok
        };
        world.apply(&ev(S + w as u64, w, Op::Exit { how, msg: None }));
    }
    let info = threadlanes::scenarios::find("coroutines")
        .expect("in the catalogue")
        .info;
    // Folded by default (more tasks than rows): main's lane, the row that counts its
    // tasks, and the selected task, which shows wherever it is.
    let view = threadlanes::view::View {
        selected: 1500,
        ..Default::default()
    };
    let s = assert_screen!(Shot::run(&world, &info).size(80, 24).view(view.clone()));
    contains_all(
        &s,
        &[
            "▹ 2000 tasks: 1500 awaiting, 495 done, 5 failed",
            "fetch-1500",
        ],
    );
    assert!(
        !s.contains("fetch-1499"),
        "no other task's lane:
{s}"
    );
    // Shown (`t`): the lanes page through them under a row that counts them.
    let view = threadlanes::view::View {
        folds: vec![(0, false)],
        ..view
    };
    let s = assert_screen!(Shot::run(&world, &info).size(80, 24).view(view));
    contains_all(
        &s,
        &[
            "▿ 2000 tasks",
            "1500 awaiting, 495 done, 5 failed",
            "fetch-1499",
            "fetch-1500",
        ],
    );
}
