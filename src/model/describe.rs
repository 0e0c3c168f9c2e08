//! Words for what the model holds: a worker's state, an event as a log line. The one table
//! of them: the TUI, the headless text output and the exported trace all say the same thing.

use super::worker::{Wait, Worker, WorkerState};
use super::world::World;
use crate::event::{Event, ExitHow, ObjectId, Op};

/// An object with its kind: "lock A", "queue products" ("object 7" if never declared).
pub fn object(world: &World, o: ObjectId) -> String {
    match world.object(o) {
        Some(ob) => format!("{} {}", kind_word(ob.kind), ob.name),
        None => format!("object {o}"),
    }
}

fn kind_word(kind: crate::event::ObjectKind) -> &'static str {
    use crate::event::ObjectKind::*;
    match kind {
        Lock => "lock",
        RLock => "rlock",
        Semaphore | BoundedSemaphore => "semaphore",
        Event => "event",
        Condition => "condition",
        Queue | LifoQueue | PriorityQueue => "queue",
        Barrier => "barrier",
        Pool => "pool",
        Pipe => "pipe",
        Value => "value",
    }
}

/// Seconds with one decimal: "1.5s".
pub fn secs(ns: u64) -> String {
    format!("{:.1}s", ns as f64 / 1e9)
}

/// A worker's current state in words: "waiting for lock A (held by job2)".
pub fn state(world: &World, w: &Worker) -> String {
    match &w.state {
        WorkerState::New => "not started".into(),
        WorkerState::Running if w.holding.is_empty() => "running".into(),
        WorkerState::Running => {
            let held: Vec<_> = w.holding.iter().map(|o| world.object_name(*o)).collect();
            format!("running, holds {}", held.join(", "))
        }
        WorkerState::Sleeping { ms: 0 } => sleeping(0),
        WorkerState::Sleeping { ms } => {
            let left = ms
                .saturating_mul(1_000_000)
                .saturating_sub(world.t.saturating_sub(w.since));
            format!("{} ({} left)", sleeping(*ms), secs(left))
        }
        WorkerState::Blocked(wait) => blocked(world, w, *wait),
        WorkerState::Done { how, msg } => match (how, msg) {
            (ExitHow::Ok, _) => "done".into(),
            // A process's end comes with its exit status ("crashed: signal 6 (SIGABRT)").
            (ExitHow::Panic, Some(m)) if m.starts_with("crashed") || m.starts_with("exit") => {
                m.clone()
            }
            (ExitHow::Panic, Some(m)) => format!("panicked: {m}"),
            (ExitHow::Panic, None) => "panicked".into(),
            (ExitHow::Killed, Some(m)) => format!("killed: {m}"),
            (ExitHow::Killed, None) => "killed".into(),
            (ExitHow::Cancelled, _) => "cancelled".into(),
        },
    }
}

/// A sleep of `ms` as a state, without how much is left: "sleeping 0.4s".
pub fn sleeping(ms: u64) -> String {
    match ms {
        // sleep(0): Python's way to let another thread run.
        0 => "yielding (sleep 0)".into(),
        ms => format!("sleeping {}", secs(ms.saturating_mul(1_000_000))),
    }
}

/// A blocked worker's state: what it waits for and, for a lock, who holds it now.
fn blocked(world: &World, w: &Worker, wait: Wait) -> String {
    let Wait::Acquire(o) = wait else {
        return waiting(world, wait);
    };
    match world.object(o).and_then(|ob| ob.owner()) {
        Some(owner) if owner == w.id => format!("{} held by itself", waiting(world, wait)),
        Some(owner) => format!(
            "{} (held by {})",
            waiting(world, wait),
            world.worker_name(owner)
        ),
        None => waiting(world, wait),
    }
}

/// What a blocked worker waits for, whoever holds it: "waiting for lock A", "blocked on put
/// to queue jobs (full)", "joining main". Its words stay true for the whole wait, so a span
/// of it can be named by them (the exported trace's slices).
pub fn waiting(world: &World, wait: Wait) -> String {
    match wait {
        Wait::Acquire(o) => match world.object(o) {
            None => format!("waiting for object {o}"),
            Some(ob) if ob.kind.is_semaphore() => {
                format!("waiting for a slot of {}", object(world, o))
            }
            Some(_) => format!("waiting for {}", object(world, o)),
        },
        Wait::Signal(o) => format!("waiting on {}", object(world, o)),
        Wait::Put(o) => format!("blocked on put to {} (full)", object(world, o)),
        Wait::Get(o) => format!("blocked on get from {} (empty)", object(world, o)),
        Wait::QueueJoin(o) => format!("waiting for all tasks of {}", object(world, o)),
        Wait::Join(t) => format!("joining {}", world.worker_name(t)),
    }
}

/// An event as a log line without its time and worker: "acquired lock A".
pub fn event(world: &World, ev: &Event) -> String {
    use Op::*;
    let o = |o: &ObjectId| object(world, *o);
    match &ev.op {
        Worker {
            kind: crate::event::WorkerKind::Main,
            ..
        } => "is the main thread".into(),
        Worker {
            kind: crate::event::WorkerKind::Process,
            name,
            daemon,
            ..
        } => {
            let d = if *daemon { " daemon" } else { "" };
            format!("new{d} process {name} (pid {})", ev.pid)
        }
        Worker {
            name, kind, daemon, ..
        } => {
            let d = if *daemon { " daemon" } else { "" };
            format!("new{d} {kind} {name}")
        }
        Object {
            name,
            kind,
            capacity,
            ..
        } => match capacity {
            Some(c) => format!("new {} {name} ({c})", kind.as_str()),
            None => format!("new {} {name}", kind.as_str()),
        },
        Start => "starts".into(),
        Exit { how, msg } => match msg {
            Some(m) => format!("exits ({how}): {m}"),
            None => format!("exits ({how})"),
        },
        JoinBegin { target } => format!("joins {}", world.worker_name(*target)),
        JoinEnd { target, ok } => {
            let r = if *ok { "" } else { " (timed out)" };
            format!("joined {}{r}", world.worker_name(*target))
        }
        SleepBegin { ms: 0 } => "yields (sleep 0)".into(),
        SleepBegin { ms } => format!("sleeps {}", secs(ms.saturating_mul(1_000_000))),
        SleepEnd => "wakes".into(),
        Say { text } => format!("says: {text}"),
        AcquireBegin { o: ob } => format!("acquire {}", o(ob)),
        AcquireEnd {
            o: ob,
            ok,
            depth,
            value,
        } => {
            let mut s = if *ok {
                format!("acquired {}", o(ob))
            } else {
                format!("gave up on {}", o(ob))
            };
            if let Some(d) = depth {
                s.push_str(&format!(" (depth {d})"));
            }
            if let Some(v) = value {
                s.push_str(&format!(" (value {v})"));
            }
            s
        }
        Release {
            o: ob,
            depth,
            value,
        } => {
            let mut s = format!("released {}", o(ob));
            if let Some(d) = depth {
                s.push_str(&format!(" (depth {d})"));
            }
            if let Some(v) = value {
                s.push_str(&format!(" (value {v})"));
            }
            s
        }
        Set { o: ob } => format!("set {} (green)", o(ob)),
        Clear { o: ob } => format!("cleared {} (red)", o(ob)),
        WaitBegin { o: ob } => format!("waits on {}", o(ob)),
        WaitEnd { o: ob, ok } => {
            let r = if *ok { "" } else { " (timed out)" };
            format!("woke from {}{r}", o(ob))
        }
        Notify { o: ob, n } => format!("notifies {n} on {}", o(ob)),
        NotifyAll { o: ob } => format!("notifies all on {}", o(ob)),
        PutBegin { o: ob, item } => format!("put {item} → {}", o(ob)),
        PutEnd {
            o: ob,
            item,
            depth,
            ok,
        } => {
            if *ok {
                format!("put {item} into {} (depth {depth})", o(ob))
            } else {
                format!("could not put {item} into {}", o(ob))
            }
        }
        GetBegin { o: ob } => format!("get from {}", o(ob)),
        GetEnd {
            o: ob,
            item,
            depth,
            ok,
        } => match (ok, item) {
            (true, Some(it)) => format!("got {it} from {} (depth {depth})", o(ob)),
            (true, None) => format!("got an item from {} (depth {depth})", o(ob)),
            (false, _) => format!("got nothing from {}", o(ob)),
        },
        TaskDone { o: ob, unfinished } => {
            format!("task_done on {} ({unfinished} unfinished)", o(ob))
        }
        QueueJoinBegin { o: ob } => format!("waits for all tasks of {}", o(ob)),
        QueueJoinEnd { o: ob } => format!("all tasks of {} done", o(ob)),
        Submit { o: ob, task } => format!("submits task {task} to {}", o(ob)),
        TaskBegin { task, .. } => format!("runs task {task}"),
        TaskEnd { task, result, .. } => match result {
            Some(r) => format!("finished task {task} → {r}"),
            None => format!("finished task {task}"),
        },
        Send { o: ob, item } => format!("sends {item} on {}", o(ob)),
        RecvBegin { o: ob } => format!("recv on {}", o(ob)),
        RecvEnd { o: ob, item, ok } => match (ok, item) {
            (true, Some(it)) => format!("received {it} on {}", o(ob)),
            _ => format!("received nothing on {}", o(ob)),
        },
        Read { o: ob, value } => format!("read {} = {value}", o(ob)),
        Write { o: ob, value } => format!("wrote {} = {value}", o(ob)),
        Outcome { text, ok } => {
            let mark = if *ok { "as expected" } else { "WRONG" };
            format!("outcome: {text} ({mark})")
        }
    }
}

/// A whole log line: "  1.20s  job1      acquired lock A".
pub fn log_line(world: &World, ev: &Event) -> String {
    format!(
        "{:>7.2}s  {:<12} {}",
        ev.t as f64 / 1e9,
        world.worker_name(ev.w),
        event(world, ev)
    )
}

/// A log line, with the cause when `ev` (the world's `n`th event, see `Causes::by_event`)
/// ended a wait: "  1.20s  car-1        woke: lighter set light".
pub fn log_line_at(world: &World, ev: &Event, n: u64) -> String {
    let Some(k) = world.causes.by_event(n) else {
        return log_line(world, ev);
    };
    let then = match ev.op {
        Op::WaitEnd { .. } | Op::JoinEnd { .. } | Op::QueueJoinEnd { .. } => String::new(),
        _ => format!("; {}", event(world, ev)),
    };
    format!(
        "{:>7.2}s  {:<12} woke: {}{then}",
        ev.t as f64 / 1e9,
        world.worker_name(ev.w),
        super::cause::words(world, k)
    )
}

/// What a worker parked at the gate is about to do: "acquire lock A", "sleep", "start".
pub fn next_op(world: &World, op: &str, o: Option<ObjectId>) -> String {
    match o {
        Some(o) => format!("{op} {}", object(world, o)),
        None => op.to_string(),
    }
}
