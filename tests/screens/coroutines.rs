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
