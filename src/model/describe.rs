//! Words for what the model holds: a worker's state, an event as a log line, an object with
//! its kind (`names`), a length of time (`time`). The one table of them: the TUI, the
//! headless text output and the exported trace all say the same thing.

mod names;
mod tasks;
mod time;

use names::capacity_words;
pub use names::{
    Label, bytes_words, full_kind_word, full_label, kind_word, label, short_kind_word, short_label,
};
pub use tasks::census_words;
pub use time::{duration, elapsed, left, secs};

use super::worker::{Wait, Worker, WorkerState};
use super::world::World;
use crate::event::{Event, ExitHow, MapHow, ObjectId, Op, WorkerId};

/// An object with its kind: "lock A", "lifo queue" (a LIFO queue named lifo), "lock-9" (a
/// lock whose name says lock); "object 7" if never declared.
pub fn object(world: &World, o: ObjectId) -> String {
    match world.object(o) {
        Some(ob) => label(ob.kind, &ob.name).to_string(),
        None => format!("object {o}"),
    }
}

/// A worker's current state in words: "waiting for lock A (held by job2)"; a task's and a
/// task-running thread's as `describe/tasks.rs` says them ("awaiting sleep 1.0s", "running task
/// fetch-2").
pub fn state(world: &World, w: &Worker) -> String {
    tasks::task_state(world, w)
        .or_else(|| tasks::thread_state(world, w))
        .unwrap_or_else(|| plain_state(world, w))
}

/// A worker's state in words as any thread's would be.
pub fn plain_state(world: &World, w: &Worker) -> String {
    match &w.state {
        WorkerState::New => "not started".into(),
        WorkerState::Running if w.holding.is_empty() => "running".into(),
        WorkerState::Running => {
            let held: Vec<_> = w.holding.iter().map(|o| world.object_name(*o)).collect();
            format!("running, holds {}", held.join(", "))
        }
        WorkerState::Sleeping { ms: 0 } => sleeping(0),
        WorkerState::Sleeping { ms } => {
            let total = ms.saturating_mul(1_000_000);
            let rest = total.saturating_sub(world.t.saturating_sub(w.since));
            format!("{} ({} left)", sleeping(*ms), left(rest, total))
        }
        WorkerState::Blocked(wait) => blocked(world, w, *wait),
        WorkerState::Done { how, msg } => match (how, msg) {
            // A process that became a program threadlanes does not trace ("execs ls").
            (ExitHow::Ok, Some(m)) if m.starts_with("execs ") => m.clone(),
            (ExitHow::Ok, _) => "done".into(),
            // A process's end comes with its exit status ("crashed: signal 6 (SIGABRT)").
            (ExitHow::Panic, Some(m)) if m.starts_with("crashed") || m.starts_with("exit") => {
                m.clone()
            }
            // "failed", as the legend's ✗ says: a Python program's exception and a Rust
            // panic alike (a lesson's worker stands for a Python thread).
            (ExitHow::Panic, Some(m)) => format!("failed: {m}"),
            (ExitHow::Panic, None) => "failed".into(),
            (ExitHow::Killed, Some(m)) => format!("killed: {m}"),
            (ExitHow::Killed, None) => "killed".into(),
            (ExitHow::Cancelled, _) => "cancelled".into(),
        },
    }
}

/// A worker's state in the fewest words that keep its point, for a narrow column: "wants
/// lock A held by job2", "sleeps holding lock A", "sleeps, 0.3s left", "put: queue jobs
/// full". What holds whom comes before how long; an end is said as in [`state`].
pub fn brief_state(world: &World, w: &Worker) -> String {
    brief_with(world, w, false)
}

/// Briefer still, for a column [`brief_state`]'s words do not fit: objects by their names
/// alone ("wants B held by right", "sleeps holding slots", "joins fifo-getter", "products
/// full", "wants slots, all taken", "sleeps, 0.6s left"), so the words are cut, if at all, after their point rather
/// than in it.
pub fn briefest_state(world: &World, w: &Worker) -> String {
    brief_with(world, w, true)
}

fn brief_with(world: &World, w: &Worker, bare: bool) -> String {
    // A task's and a task-running thread's words are already short, and they carry the
    // coroutines' lesson (who keeps the thread).
    let task_words = if bare {
        tasks::briefest(world, w)
    } else {
        tasks::brief(world, w)
    };
    if let Some(words) = task_words {
        return words;
    }
    let name = |o: ObjectId| {
        if bare {
            world.object_name(o).to_string()
        } else {
            object(world, o)
        }
    };
    let held = || {
        let names: Vec<_> = w.holding.iter().map(|o| name(*o)).collect();
        names.join(", ")
    };
    match &w.state {
        WorkerState::Running if !w.holding.is_empty() => format!("holds {}", held()),
        WorkerState::Sleeping { ms } if *ms > 0 && !w.holding.is_empty() => {
            format!("sleeps holding {}", held())
        }
        WorkerState::Sleeping { ms } if *ms > 0 => {
            let total = ms.saturating_mul(1_000_000);
            let rest = total.saturating_sub(world.t.saturating_sub(w.since));
            // One form in both: the same sleep reads the same in every narrow lane.
            format!("sleeps, {} left", left(rest, total))
        }
        WorkerState::Blocked(wait) => brief_wait(world, w, *wait, &name, bare),
        // How it ended, without the message: that is in the details and the log.
        WorkerState::Done {
            how: ExitHow::Panic,
            msg: Some(m),
        } if !(m.starts_with("crashed") || m.starts_with("exit")) => "failed".into(),
        WorkerState::Done {
            how: ExitHow::Killed,
            ..
        } => "killed".into(),
        _ => state(world, w),
    }
}

fn brief_wait(
    world: &World,
    w: &Worker,
    wait: Wait,
    object: &dyn Fn(ObjectId) -> String,
    bare: bool,
) -> String {
    match wait {
        Wait::Acquire(o) | Wait::AcquireShared(o) if is_rwlock(world, o) => {
            let side = if matches!(wait, Wait::Acquire(_)) {
                "write"
            } else {
                "read"
            };
            match rw_holders(world, o) {
                Some(by) => format!("wants to {side} {} {by}", object(o)),
                None => format!("wants to {side} {}", object(o)),
            }
        }
        Wait::Acquire(o) | Wait::AcquireShared(o) => {
            let semaphore = world.object(o).is_some_and(|ob| ob.kind.is_semaphore());
            let what = object(o);
            match world.object(o).and_then(|ob| ob.owner()) {
                // Every slot taken, said so rather than as "a slot of slots" (a semaphore
                // is often named for its slots).
                _ if semaphore => format!("wants {what}, all taken"),
                Some(owner) if owner == w.id => format!("wants {what} it holds"),
                Some(owner) => format!("wants {what} held by {}", world.worker_name(owner)),
                None => format!("wants {what}"),
            }
        }
        Wait::Signal(o) => format!("waits on {}", object(o)),
        // Briefest, what stops it is enough: "products full" in a producer's lane.
        Wait::Put(o) if is_rendezvous(world, o) => format!("put: no receiver, {}", object(o)),
        Wait::Put(o) if bare => format!("{} full", object(o)),
        Wait::Get(o) if bare => format!("{} empty", object(o)),
        // A pipe's name may be long ("proc-3 replies"): the verb first, where a cut spares it.
        Wait::Recv(o) if bare => format!("recv {}", object(o)),
        Wait::Put(o) => format!("put: {} full", object(o)),
        Wait::Get(o) => format!("get: {} empty", object(o)),
        Wait::Recv(o) => format!("recv: {} empty", object(o)),
        Wait::QueueJoin(o) => format!("joins {}", object(o)),
        Wait::Join(t) if bare => format!("joins {}", world.worker_name(t)),
        Wait::Join(t) => format!("joining {}", world.worker_name(t)),
    }
}

/// Step mode: why a blocked worker cannot be stepped, as its lane says it: "can't go:
/// waiting for lock (held by t1)".
pub fn cant_go(world: &World, w: &Worker) -> String {
    format!("can't go: {}", state(world, w))
}

/// The same for a narrow lane, who or what stops it first: "can't go: t1 holds lock",
/// "can't go: q empty".
pub fn cant_go_brief(world: &World, w: &Worker) -> String {
    let owner = match w.state {
        WorkerState::Blocked(Wait::Acquire(o)) => world
            .object(o)
            .and_then(|ob| ob.owner())
            .filter(|h| *h != w.id)
            .map(|h| (h, o)),
        _ => None,
    };
    let ahead = match w.state {
        WorkerState::Blocked(Wait::Acquire(o)) => first_in_line(world, o, w.id).map(|a| (a, o)),
        _ => None,
    };
    match (owner, ahead) {
        (Some((h, o)), _) => format!(
            "can't go: {} holds {}",
            world.worker_name(h),
            world.object_name(o)
        ),
        (None, Some((a, o))) => format!(
            "can't go: {} is first for {}",
            world.worker_name(a),
            world.object_name(o)
        ),
        (None, None) => format!("can't go: {}", briefest_state(world, w)),
    }
}

/// A sleep of `ms` as a state, without how much is left: "sleeping 50ms", "sleeping 2.5s".
/// An array cell's subscript ("[2]"), or nothing for a single value.
fn cell(index: Option<u32>) -> String {
    index.map_or(String::new(), |i| format!("[{i}]"))
}

pub fn sleeping(ms: u64) -> String {
    match ms {
        // sleep(0): Python's way to let another thread run.
        0 => "yielding (sleep 0)".into(),
        ms => format!("sleeping {}", duration(ms.saturating_mul(1_000_000))),
    }
}

/// What a worker holds, each object once in the order taken: "lock A, 2 slots of semaphore
/// pool" ("nothing" for nothing).
pub fn holds(world: &World, held: &[ObjectId]) -> String {
    let mut seen: Vec<(ObjectId, usize)> = Vec::new();
    for o in held {
        match seen.iter_mut().find(|(x, _)| x == o) {
            Some((_, n)) => *n += 1,
            None => seen.push((*o, 1)),
        }
    }
    if seen.is_empty() {
        return "nothing".into();
    }
    let one = |(o, n): &(ObjectId, usize)| {
        let name = object(world, *o);
        match world.object(*o) {
            Some(ob) if ob.kind.is_semaphore() && *n == 1 => format!("a slot of {name}"),
            Some(ob) if ob.kind.is_semaphore() => format!("{n} slots of {name}"),
            // Readers and a writer never hold it together.
            Some(ob) if !ob.readers().is_empty() => format!("{name} (reading)"),
            Some(ob) if ob.kind == crate::event::ObjectKind::RwLock => {
                format!("{name} (writing)")
            }
            _ => name,
        }
    };
    seen.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// A blocked worker's state: what it waits for and, for a lock, who holds it now.
fn blocked(world: &World, w: &Worker, wait: Wait) -> String {
    if let Wait::Acquire(o) | Wait::AcquireShared(o) = wait
        && is_rwlock(world, o)
    {
        return match rw_holders(world, o) {
            Some(by) => format!("{} ({by})", waiting(world, wait)),
            None => waiting(world, wait),
        };
    }
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
        None => match first_in_line(world, o, w.id) {
            // Free, and another waited longer: it goes first (a release hands the lock on).
            Some(a) => format!(
                "{} ({} is first in line)",
                waiting(world, wait),
                world.worker_name(a)
            ),
            None => waiting(world, wait),
        },
    }
}

/// The worker that has waited longest for lock `o`, if it is not `w` (a lock's only: a
/// semaphore's waiter waits for a slot, whoever is first).
fn first_in_line(world: &World, o: ObjectId, w: WorkerId) -> Option<WorkerId> {
    let ob = world.object(o).filter(|ob| ob.kind.is_lock())?;
    let first = ob.waiting(|x| matches!(x, Wait::Acquire(_))).next()?;
    (first != w).then_some(first)
}

/// What a blocked worker waits for, whoever holds it: "waiting for lock A", "blocked on put
/// to queue jobs (full)", "joining main". Its words stay true for the whole wait, so a span
/// of it can be named by them (the exported trace's slices).
pub fn waiting(world: &World, wait: Wait) -> String {
    match wait {
        Wait::Acquire(o) if is_rwlock(world, o) => format!("waiting to write {}", object(world, o)),
        Wait::AcquireShared(o) => format!("waiting to read {}", object(world, o)),
        Wait::Acquire(o) => match world.object(o) {
            None => format!("waiting for object {o}"),
            Some(ob) if ob.kind.is_semaphore() => {
                format!("waiting for a slot of {}", object(world, o))
            }
            Some(_) => format!("waiting for {}", object(world, o)),
        },
        Wait::Signal(o) => format!("waiting on {}", object(world, o)),
        Wait::Put(o) if is_rendezvous(world, o) => {
            format!("blocked on put to {} (no receiver)", object(world, o))
        }
        Wait::Put(o) => format!("blocked on put to {} (full)", object(world, o)),
        Wait::Get(o) => format!("blocked on get from {} (empty)", object(world, o)),
        Wait::Recv(o) => format!("blocked on recv from {} (empty)", object(world, o)),
        Wait::QueueJoin(o) => format!("waiting for all tasks of {}", object(world, o)),
        Wait::Join(t) => format!("joining {}", world.worker_name(t)),
    }
}

/// An event as a log line without its time and worker: "acquired lock A".
pub fn event(world: &World, ev: &Event) -> String {
    event_with(world, ev, false)
}

/// The same with objects by their names alone, for a narrow lane: "wrote balance = 8".
pub fn event_brief(world: &World, ev: &Event) -> String {
    event_with(world, ev, true)
}

fn event_with(world: &World, ev: &Event, bare: bool) -> String {
    use Op::*;
    let o = |o: &ObjectId| {
        if bare {
            world.object_name(*o).to_string()
        } else {
            object(world, *o)
        }
    };
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
            name,
            thread: Some(th),
            kind: crate::event::WorkerKind::Task,
            ..
        } => format!("new task {name} on {}", world.worker_name(*th)),
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
            Some(c) => format!(
                "new {} ({})",
                full_label(*kind, name),
                capacity_words(*kind, *c)
            ),
            None => format!("new {}", full_label(*kind, name)),
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
        SleepBegin { ms } => format!("sleeps {}", duration(ms.saturating_mul(1_000_000))),
        SleepEnd => "wakes".into(),
        // A traced program's output line is nobody's words: said as it came.
        Say { text } if is_output(ev.pid, text) => text.clone(),
        Say { text } => format!("says: {text}"),
        AcquireBegin { o: ob } if is_rwlock(world, *ob) => format!("acquire {} to write", o(ob)),
        AcquireBegin { o: ob } => format!("acquire {}", o(ob)),
        AcquireSharedBegin { o: ob } => format!("acquire {} to read", o(ob)),
        AcquireSharedEnd { o: ob, ok: true } => format!("acquired {} to read", o(ob)),
        AcquireSharedEnd { o: ob, ok: false } => format!("gave up reading {}", o(ob)),
        ReleaseShared { o: ob } => format!("released {} (read)", o(ob)),
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
            if *ok && is_rendezvous(world, *ob) {
                // Nothing stays in a rendezvous: its depth says nothing.
                format!("put {item} into {}", o(ob))
            } else if *ok {
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
        Send { o: ob, item } => format!("sends {item} into {}", o(ob)),
        RecvBegin { o: ob } => format!("recv from {}", o(ob)),
        RecvEnd { o: ob, item, ok } => match (ok, item) {
            (true, Some(it)) => format!("received {it} from {}", o(ob)),
            _ => format!("received nothing from {}", o(ob)),
        },
        Read {
            o: ob,
            value,
            index,
        } => format!("read {}{} = {value}", o(ob), cell(*index)),
        Write {
            o: ob,
            value,
            index,
        } => {
            format!("wrote {}{} = {value}", o(ob), cell(*index))
        }
        Attach { o: ob, how } => match how {
            MapHow::Created => format!("creates {} and maps it", o(ob)),
            MapHow::Opened => format!("maps {} (opened by name)", o(ob)),
            MapHow::Inherited => format!("maps {} (inherited through fork)", o(ob)),
        },
        Detach { o: ob } => format!("unmaps {} (close)", o(ob)),
        Unlink { o: ob } => format!("unlinks {} (its name is removed)", o(ob)),
        Outcome { text, ok } => {
            let mark = if *ok { "as expected" } else { "WRONG" };
            format!("outcome: {text} ({mark})")
        }
        Gate { next, o: ob } => format!(
            "parked at the step gate, next: {}",
            next_op(world, next, *ob)
        ),
    }
}

fn is_kind(world: &World, o: ObjectId, kind: crate::event::ObjectKind) -> bool {
    world.object(o).is_some_and(|ob| ob.kind == kind)
}

/// Whether `o` is a rendezvous channel (a put waits for a receiver, not for room).
pub fn is_rendezvous(world: &World, o: ObjectId) -> bool {
    is_kind(world, o, crate::event::ObjectKind::Rendezvous)
}

fn is_rwlock(world: &World, o: ObjectId) -> bool {
    is_kind(world, o, crate::event::ObjectKind::RwLock)
}

/// Who holds an rwlock now, in words: "held by w" (its writer), "read by r1, r2" (its
/// readers, the first few), or None when free.
fn rw_holders(world: &World, o: ObjectId) -> Option<String> {
    let ob = world.object(o)?;
    if let Some(w) = ob.owner() {
        return Some(format!("held by {}", world.worker_name(w)));
    }
    let readers = ob.readers();
    let mut names: Vec<&str> = readers
        .iter()
        .take(3)
        .map(|r| world.worker_name(*r))
        .collect();
    if readers.len() > 3 {
        names.push("…");
    }
    (!names.is_empty()).then(|| format!("read by {}", names.join(", ")))
}

/// The log's name column: as wide as the longest name so far, between these.
const NAME_MIN: usize = 4;
const NAME_MAX: usize = 16;

/// A worker's name padded (or cut, with "…") to the log's name column, so the words after it
/// line up however long the names are.
fn name_column(world: &World, w: crate::event::WorkerId) -> String {
    let width = world.name_chars().clamp(NAME_MIN, NAME_MAX);
    let name = world.worker_name(w);
    let n = name.chars().count();
    if n > width {
        let cut: String = name.chars().take(width - 1).collect();
        format!("{cut}…")
    } else {
        format!("{name}{}", " ".repeat(width - n))
    }
}

/// Where a log line's words begin, in characters: after the time and the name column
/// ("   0.22s  t2    " is 16). A name may hold spaces ("main 4242"), so a reader cannot
/// find it by looking for them.
pub fn log_words_start(world: &World) -> usize {
    "   0.22s  ".len() + world.name_chars().clamp(NAME_MIN, NAME_MAX) + 2
}

/// How a traced program's stderr lines begin in the log.
pub const STDERR: &str = "stderr: ";
/// How its stdout lines begin, where it does not say its prints as events itself (a Rust
/// program's `println!`).
pub const STDOUT: &str = "stdout: ";

/// A traced program's output line, which the viewer writes as pid 0's say: no thread is
/// known to have written it.
fn is_output(pid: u32, text: &str) -> bool {
    pid == 0 && (text.starts_with(STDERR) || text.starts_with(STDOUT))
}

/// A whole log line: "  1.20s  job1  acquired lock A". The outcome is the run's verdict,
/// not its sayer's (in `daemon` the last worker killed states it): its name column is empty.
pub fn log_line(world: &World, ev: &Event) -> String {
    let who = match &ev.op {
        Op::Outcome { .. } => " ".repeat(world.name_chars().clamp(NAME_MIN, NAME_MAX)),
        // A traced program's stderr, line by line (the viewer writes it as pid 0): which
        // thread wrote it is not known, so no thread is named (a thread's traceback is not
        // main's words).
        Op::Say { text } if is_output(ev.pid, text) => {
            " ".repeat(world.name_chars().clamp(NAME_MIN, NAME_MAX))
        }
        _ => name_column(world, ev.w),
    };
    format!("{:>7.2}s  {who}  {}", ev.t as f64 / 1e9, event(world, ev))
}

/// Whether `ev`'s log line is left out because `next`, the event straight after it, says
/// it all: a put whose end came at once, with no wait between (`woke`: `next` ended a wait)
/// — "put X into q (depth 1)" alone, not "put X → q" before it. A put that blocked keeps
/// both lines: what it began, and what woke it.
pub fn said_by_next(ev: &Event, next: &Event, woke: bool) -> bool {
    match (&ev.op, &next.op) {
        (Op::PutBegin { o, .. }, Op::PutEnd { o: o2, .. }) => o == o2 && ev.w == next.w && !woke,
        _ => false,
    }
}

/// A log line, with the cause when `ev` (the world's `n`th event, see `Causes::by_event`)
/// ended a wait: "  1.20s  car-1  woke: lighter set light".
pub fn log_line_at(world: &World, ev: &Event, n: u64) -> String {
    if let Some(task) = world.blocking.by_event(n) {
        // A blocking call in a coroutine: the thread sleeps, and no other task can run.
        let task = world.worker_name(task);
        return format!("{} in {task} (blocks the loop)", log_line(world, ev));
    }
    let Some(k) = world.causes.by_event(n) else {
        return log_line(world, ev);
    };
    let then = match ev.op {
        Op::WaitEnd { .. } | Op::JoinEnd { .. } | Op::QueueJoinEnd { .. } => String::new(),
        _ => format!("; {}", event(world, ev)),
    };
    format!(
        "{:>7.2}s  {}  woke: {}{then}",
        ev.t as f64 / 1e9,
        name_column(world, ev.w),
        super::cause::words(world, k)
    )
}

/// The same with the object by its name alone, for a narrow lane: "acquire A".
pub fn next_op_bare(world: &World, op: &str, o: Option<ObjectId>) -> String {
    match o {
        Some(o) => format!("{op} {}", world.object_name(o)),
        None => op.to_string(),
    }
}

/// What a worker parked at the gate is about to do: "acquire lock A", "get from queue q",
/// "sleep", "start".
pub fn next_op(world: &World, op: &str, o: Option<ObjectId>) -> String {
    // The same preposition the log's line for it has.
    let to = match op {
        "get" | "recv" => " from",
        "put" | "send" => " into",
        "submit" => " to",
        "wait" | "task_done" => " on",
        _ => "",
    };
    match o {
        Some(o) => format!("{op}{to} {}", object(world, o)),
        None => op.to_string(),
    }
}

/// The details' "woken" line for a worker none of whose wake-ups is listed (the ring keeps
/// the newest): from its tally of waits, so it never says "never had to wait" of a worker
/// that waits now, timed out, or was woken long ago.
pub fn unwoken(world: &World, w: &Worker) -> String {
    let t = world
        .worker_index(w.id)
        .map(|wx| world.causes.tally(wx))
        .unwrap_or_default();
    let before = t.had_to_wait - u64::from(t.waiting_now);
    let now = match (t.waiting_now, before) {
        (false, _) => None,
        (true, 0) => Some("not yet (waiting now)".to_string()),
        (true, n) => Some(format!("not yet (waiting now; waited {} before)", times(n))),
    };
    match (now, t.had_to_wait, t.woken) {
        (Some(now), ..) => now,
        (None, 0, _) => "never had to wait".into(),
        // Timed out, given up, or ended (a daemon killed) while it waited.
        (None, n, 0) => format!("had to wait {}; no other worker ended it", times(n)),
        (None, _, k) => format!("{}, too long ago to list", times(k)),
    }
}

/// How many times, in words: "once", "twice", "3 times" (never "1 times").
pub fn times(n: u64) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// Every possible deadlock the lock order shows, one a line: "t1 takes A then B; t2 takes
/// B then A" (model/lockorder.rs finds them).
pub fn possible_deadlocks(world: &World) -> Vec<String> {
    lock_orders(world, "takes ", " then ")
}

/// The same in the fewest words, for a narrow border: "left A→B; right B→A".
pub fn possible_deadlocks_brief(world: &World) -> Vec<String> {
    lock_orders(world, "", "→")
}

fn lock_orders(world: &World, takes: &str, then: &str) -> Vec<String> {
    let order = |(e, w): &(&super::lockorder::Edge, WorkerId)| {
        format!(
            "{} {takes}{}{then}{}",
            world.worker_name(*w),
            world.object_name(e.held),
            world.object_name(e.wanted)
        )
    };
    world
        .lock_order
        .possible()
        .iter()
        .map(|cycle| cycle.iter().map(order).collect::<Vec<_>>().join("; "))
        .collect()
}
