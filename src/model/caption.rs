//! The caption: the last significant event of the run in plain words, for screencasts
//! watched without sound — a worker that blocks and why ("producer-2 blocks: products is
//! full (3/3)"), one that goes on and who let it, what the scenario says, how it ends, a
//! deadlock.

use super::cause::{self, Wake};
use super::describe;
use super::object::ObjectState;
use super::worker::Wait;
use super::world::World;
use crate::event::{ExitHow, Op, WorkerId};

/// How far back in the log a caption looks for a line the scenario said.
const LOOK_BACK: usize = 64;

/// Why `wait` cannot go on, in words: "lock A is held by job1", "products is full (3/3)".
fn why(world: &World, wait: Wait) -> String {
    let Some(ob) = wait.object().and_then(|o| world.object(o)) else {
        return match wait {
            Wait::Join(t) => format!("waits for {} to end", world.worker_name(t)),
            _ => "waits".into(),
        };
    };
    let name = &ob.name;
    match (&ob.state, wait) {
        (ObjectState::Lock { owner: Some(h), .. }, _) => {
            let lock = describe::label(ob.kind, name);
            format!("{lock} is held by {}", world.worker_name(*h))
        }
        (ObjectState::Semaphore { holders, .. }, _) => {
            format!("all {} slots of {name} are taken", holders.len())
        }
        (ObjectState::Event { .. }, _) => format!("{name} is red (cleared)"),
        (ObjectState::Queue { depth, .. }, Wait::Put(_)) => match ob.maxsize() {
            Some(m) => format!("{name} is full ({depth}/{m})"),
            None => format!("{name} is full"),
        },
        (ObjectState::Queue { .. }, Wait::Get(_)) => format!("{name} is empty"),
        (ObjectState::Queue { unfinished, .. }, Wait::QueueJoin(_)) => {
            format!("{unfinished} tasks of {name} are not done")
        }
        (ObjectState::Pipe { .. }, _) => format!("nothing has come on {name}"),
        _ => format!("waits on {name}"),
    }
}

fn woke(world: &World, k: &Wake) -> String {
    format!(
        "{} goes on: {} (after {})",
        world.worker_name(k.woken),
        cause::words(world, k),
        describe::duration(k.t.saturating_sub(k.since))
    )
}

fn said(world: &World, w: WorkerId, op: &Op) -> Option<String> {
    let name = world.worker_name(w);
    Some(match op {
        Op::Say { text } => format!("{name} says: {text}"),
        Op::Outcome { text, ok: true } => format!("Outcome: {text}"),
        Op::Outcome { text, ok: false } => format!("Outcome (wrong): {text}"),
        Op::Exit {
            how: ExitHow::Panic,
            msg,
        } => {
            format!("{name} failed: {}", msg.as_deref().unwrap_or("?"))
        }
        _ => return None,
    })
}

/// The caption now, if anything significant has happened yet.
pub fn caption(world: &World) -> Option<String> {
    if let Some(cycle) = &world.deadlock {
        return Some(format!(
            "Deadlock: {}",
            super::waitfor::describe_cycle(world, cycle)
        ));
    }
    let causes = &world.causes;
    let first = causes.seen().saturating_sub(world.log.len() as u64);
    let say = world
        .log
        .iter()
        .enumerate()
        .rev()
        .take(LOOK_BACK)
        .find_map(|(i, ev)| Some((first + i as u64, said(world, ev.w, &ev.op)?)));
    let mut best: Option<(u64, String)> = say;
    let mut consider = |n: u64, words: &dyn Fn() -> String| {
        if best.as_ref().is_none_or(|(m, _)| n > *m) {
            best = Some((n, words()));
        }
    };
    // A block that ended without a wake-up (a timeout, a failed try) is old news.
    if let Some((n, w, wait)) = causes.last_block
        && world.worker(w).and_then(|x| x.blocked_on()) == Some(wait)
    {
        consider(n, &|| {
            format!("{} blocks: {}", world.worker_name(w), why(world, wait))
        });
    }
    if let Some(k) = causes.last() {
        consider(k.n, &|| woke(world, k));
    }
    best.map(|(_, s)| s)
}
