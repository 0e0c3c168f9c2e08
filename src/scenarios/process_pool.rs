//! `process-pool`: a pool of worker processes; `apply_async` with a callback that runs in
//! the parent, and `map`, whose results come back in order whatever order they finish in.

use super::kit::{ThreadArgs, join_all, shared};
use super::{Config, Info, Scenario, param, variant};
use crate::event::{ObjectKind, Op};
use crate::probe::core::declare;
use crate::probe::{Res, Thread, now, outcome, say, sleep};
use crate::process::child::{self, Conn as ChildConn};
use crate::process::{Conn, Inbox, Proc, Process, shared_object};
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "process-pool",
        title: "A pool of processes: apply_async and map",
        lesson: "a pool runs tasks on a fixed set of worker processes; callbacks run in the parent; map returns results in order",
        explain: "Pool(5) starts five worker processes once and hands them tasks, as \
multiprocessing.Pool does. Tasks and results cross process boundaries as JSON over OS \
pipes (Python pickles them). Watch the pool object: submitted, running (which process runs \
which task), done.",
        variants: &[
            variant("apply_async", "apply_async+map").explain(
                "Main submits ten tasks with apply_async(Foo, (i,), callback=Bar): Foo(i) \
sleeps and returns i + 100 in a worker process; Bar prints the result — in the parent, on \
its result-handler thread, not in the worker. Five tasks run at once (one per worker \
process); the other five wait in the pool's task list until a worker is free.\n\n\
Then main calls map(Foo, [20..25]). The tasks sleep for different times, so they finish \
out of order — the log shows the order they finish in — but map returns its list in the \
order of its inputs. The outcome checks both: every callback ran in the parent, and map's \
list is in input order.",
            ),
            variant("apply", "apply, in turn").explain(
                "Main calls pool.apply(Foo, (i,)) for each task: apply waits for each result \
before main can submit the next task, so one process works at a time while the others sit \
idle, and ten tasks take ten times as long. The outcome states the time it took.",
            ),
        ],
        params: &[
            param("processes", "worker processes in the pool", 5, 1, 8),
            param("tasks", "apply_async tasks", 10, 1, 40),
        ],
    },
    main,
};

pub fn role(name: &str) -> Option<child::Role> {
    match name {
        "serve" => Some(serve),
        _ => None,
    }
}

/// Map's inputs.
const MAP_ARGS: [i64; 5] = [20, 21, 22, 23, 24];

/// What the parent's pool keeps: tasks not handed out yet, and idle workers.
struct Pending {
    tasks: VecDeque<Value>,
    idle: Vec<usize>,
}

/// The parent's side of the pool: the pool object, a task pipe to each worker process, and
/// the inbox their results come back to.
struct Pool {
    id: u32,
    conns: Arc<Vec<Conn>>,
    procs: Vec<Proc>,
    results: Arc<Inbox>,
}

impl Pool {
    /// `Pool(n)`: the worker processes, started once.
    fn start(n: usize) -> Res<Pool> {
        let id = shared_object("pool", ObjectKind::Pool, Some(n as u64));
        let results = Arc::new(Inbox::new("results"));
        let mut conns = Vec::new();
        let mut procs = Vec::new();
        for k in 1..=n {
            let name = format!("pool-{k}");
            let tasks_conn = format!("{name} tasks");
            let p = Process::new(&name, "process-pool", "serve")
                .args(json!({"conn": tasks_conn}))
                .conn(&tasks_conn)
                .start()?;
            conns.push(p.conn(&tasks_conn));
            procs.push(p);
        }
        let conns = Arc::new(conns);
        Ok(Pool {
            id,
            conns,
            procs,
            results,
        })
    }

    /// `pool.close(); pool.join()`: every worker told to end, then waited for.
    fn close(&self) -> Res<()> {
        for c in self.conns.iter() {
            c.send(json!("close"))?;
        }
        join_all(&self.procs)
    }
}

fn main(cfg: &Config) -> Res<()> {
    let n = cfg.get("processes") as usize;
    let tasks = cfg.get("tasks");
    let pool = Pool::start(n)?;
    let started = now();
    if cfg.is("apply") {
        apply(&pool, tasks, started)
    } else {
        apply_async_and_map(&pool, tasks, started)
    }
}

/// Ten `apply_async(Foo, (i,), callback=Bar)`, then `map(Foo, [20..25])`: the workers take
/// the tasks as they come free; a result-handler thread in the parent runs the callbacks.
fn apply_async_and_map(pool: &Pool, tasks: i64, started: f64) -> Res<()> {
    let n = pool.procs.len();
    let pending = shared(Pending {
        tasks: VecDeque::new(),
        idle: (0..n).rev().collect(),
    });
    let submit = |task: u64, arg: i64, secs: f64| -> Res<()> {
        crate::process::emit(Op::Submit { o: pool.id, task });
        let msg = json!({"task": task, "arg": arg, "secs": secs});
        let to = {
            let mut p = pending.lock();
            match p.idle.pop() {
                Some(k) => Some(k),
                None => {
                    p.tasks.push_back(msg.clone());
                    None
                }
            }
        };
        match to {
            Some(k) => pool.conns[k].send(msg),
            None => Ok(()),
        }
    };
    let total = tasks as usize + MAP_ARGS.len();
    let map_results = shared(BTreeMap::new());
    let handler = Thread::new("result-handler")
        .args((&pool.results, &pending, &pool.conns, &map_results))
        .start(move |(results, pending, conns, map_results)| {
            let asyncs = tasks as u64;
            handle_results(&results, total, asyncs, &pending, &conns, &map_results)
        })?;
    for i in 0..tasks {
        // Foo(i): sleeps 2 s, as the tutorial's does.
        submit(i as u64, i, 2.0)?;
    }
    say(format!(
        "main: {tasks} tasks submitted with apply_async; main goes on at once"
    ))?;
    for (j, arg) in MAP_ARGS.iter().enumerate() {
        // Later inputs sleep less: they finish first.
        submit(tasks as u64 + j as u64, *arg, 1.0 - 0.2 * j as f64)?;
    }
    handler.join()?;
    let got: Vec<i64> = map_results.lock().values().copied().collect();
    say(format!("map returned {got:?}"))?;
    pool.close()?;
    let want: Vec<i64> = MAP_ARGS.iter().map(|a| a + 100).collect();
    outcome(
        format!(
            "{tasks} callbacks ran in the parent (pid {}); map returned {got:?}, in input \
             order; {:.1} s in all, {n} tasks at a time",
            std::process::id(),
            now() - started
        ),
        got == want,
    );
    Ok(())
}

/// `pool.apply(Foo, (i,))` for each task: it waits for each result before the next task, so
/// only one worker ever works.
fn apply(pool: &Pool, tasks: i64, started: f64) -> Res<()> {
    let conns = &pool.conns;
    for i in 0..tasks {
        let task = i as u64;
        crate::process::emit(Op::Submit { o: pool.id, task });
        conns[i as usize % conns.len()].send(json!({"task": task, "arg": i, "secs": 2.0}))?;
        let r = pool.results.recv()?;
        say(format!("apply returned {}", r["result"]))?;
    }
    let took = now() - started;
    pool.close()?;
    outcome(
        format!(
            "apply ran the {tasks} tasks one after another, each waiting for the one before: \
             {took:.1} s; the pool's other processes sat idle"
        ),
        true,
    );
    Ok(())
}

/// The parent's result-handler thread: takes each result, runs the callback (apply_async)
/// or keeps it (map), and gives the free worker the next waiting task.
fn handle_results(
    results: &Inbox,
    total: usize,
    asyncs: u64,
    pending: &Mutex<Pending>,
    conns: &[Conn],
    map_results: &Mutex<BTreeMap<u64, i64>>,
) -> Res<()> {
    for _ in 0..total {
        let r = results.recv()?;
        let (task, result, k) = (
            r["task"].as_u64().unwrap_or(0),
            r["result"].as_i64().unwrap_or(0),
            r["worker"].as_u64().unwrap_or(0) as usize,
        );
        if task < asyncs {
            // Bar(result): the callback, here in the parent.
            say(format!(
                "-->exec done: {result} (callback in pid {})",
                std::process::id()
            ))?;
        } else {
            // Finishing order, not map's order: map sorts them back.
            say(format!("map: Foo({}) finished: {result}", result - 100))?;
            map_results.lock().insert(task, result);
        }
        let next = {
            let mut p = pending.lock();
            let next = p.tasks.pop_front();
            if next.is_none() {
                p.idle.push(k);
            }
            next
        };
        if let Some(msg) = next {
            conns[k].send(msg)?;
        }
    }
    Ok(())
}

/// A worker process: runs the tasks it is given until told to close.
fn serve(args: &Value) -> Res<()> {
    let tasks = ChildConn::open(args["conn"].as_str().unwrap_or("tasks"));
    let results = ChildConn::open("results");
    let pool = declare("pool", ObjectKind::Pool, None, ()).id;
    let me: usize = child::name()
        .trim_start_matches("pool-")
        .parse::<usize>()
        .unwrap_or(1)
        - 1;
    loop {
        let m = tasks.recv()?;
        if m == json!("close") {
            return Ok(());
        }
        let task = m["task"].as_u64().unwrap_or(0);
        crate::process::emit(Op::TaskBegin { o: pool, task });
        sleep(m["secs"].as_f64().unwrap_or(1.0))?;
        let result = m["arg"].as_i64().unwrap_or(0) + 100;
        crate::process::emit(Op::TaskEnd {
            o: pool,
            task,
            result: Some(result.to_string()),
        });
        results.send(json!({"task": task, "result": result, "worker": me}))?;
    }
}
