//! A synthetic asyncio-like run for the model and ui benches: one thread (main) running
//! `tasks` coroutine tasks that each start, await a sleep, take one shared async lock in
//! turn and end; a stream cut at `done_share` percent of the tasks ended, so the lanes show
//! tasks in every state (done, holding, awaiting the lock, sleeping).

use threadlanes::event::{Event, ObjectKind, Op, WorkerKind};
use threadlanes::model::World;

fn ev(t: u64, w: u32, op: Op) -> Event {
    Event { t, pid: 1, w, op }
}

/// The stream: declarations, every task's start and sleep, then the tasks in turn waking,
/// queueing for the lock (a few at a time), holding it and ending, until `done_share`
/// percent have ended.
pub fn task_stream(tasks: u32, done_share: u32) -> Vec<Event> {
    let mut v = Vec::with_capacity(tasks as usize * 8);
    let mut t = 0u64;
    let mut tick = || {
        t += 1_000;
        t
    };
    v.push(ev(
        tick(),
        0,
        Op::Worker {
            name: "main".into(),
            kind: WorkerKind::Main,
            daemon: false,
            parent: None,
            thread: None,
        },
    ));
    v.push(ev(tick(), 0, Op::Start));
    v.push(ev(
        tick(),
        0,
        Op::Object {
            o: 1,
            name: "lock".into(),
            kind: ObjectKind::Lock,
            capacity: None,
        },
    ));
    for w in 1..=tasks {
        v.push(ev(
            tick(),
            w,
            Op::Worker {
                name: format!("fetch-{w}"),
                kind: WorkerKind::Task,
                daemon: false,
                parent: Some(0),
                thread: Some(0),
            },
        ));
    }
    for w in 1..=tasks {
        v.push(ev(tick(), w, Op::Start));
        v.push(ev(tick(), w, Op::SleepBegin { ms: 1_000 }));
    }
    let end = (tasks as u64 * done_share as u64 / 100) as u32;
    let acquired = |o| Op::AcquireEnd {
        o,
        ok: true,
        depth: None,
        value: None,
    };
    let release = |o| Op::Release {
        o,
        depth: None,
        value: None,
    };
    // Task w wakes and queues for the lock while w-1 holds it; w-1 releases, w takes it.
    for w in 1..=end.max(1) {
        v.push(ev(tick(), w, Op::SleepEnd));
        v.push(ev(tick(), w, Op::AcquireBegin { o: 1 }));
        if w > 1 {
            v.push(ev(tick(), w - 1, release(1)));
            v.push(ev(
                tick(),
                w - 1,
                Op::Exit {
                    how: threadlanes::event::ExitHow::Ok,
                    msg: None,
                },
            ));
        }
        v.push(ev(tick(), w, acquired(1)));
    }
    v
}

/// A world that has folded the whole stream.
pub fn task_world(tasks: u32, done_share: u32) -> World {
    let mut world = World::default();
    for e in task_stream(tasks, done_share) {
        world.apply_owned(e);
    }
    world
}
