//! `coroutines`: tasks that share one thread (Python's asyncio) on a real single-threaded
//! async runtime. Each task is a lane under the thread; the thread's lane says which task
//! holds it. The versions: awaited sleeps overlap, a plain sleep freezes every task,
//! `gather` keeps submission order, `as_completed` finishing order, and an async lock and
//! queue between producer and consumer tasks.

use super::kit::spaced;
use super::{Config, Info, Scenario, param, variant};
use crate::probe::aio::{self, Lock, Queue, Task};
use crate::probe::{Res, now, outcome};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "coroutines",
        title: "Coroutines: tasks on one thread",
        lesson: "tasks share one thread and hand it over only where they await; one that blocks without awaiting stalls them all",
        explain: "A coroutine is a task that runs on a thread it shares with other tasks \
(Python's asyncio: async def, await, asyncio.run). Only one task runs at a time; it keeps \
the thread until it reaches an await, and there the loop gives the thread to another task \
that can go. So nothing interleaves between two awaits, and waits (a sleep, a download) \
overlap: the loop runs the others while one waits. The lanes marked task sit under their \
thread, main, whose lane says which task holds it. Here the runtime is tokio's \
single-threaded one; sleeps follow this run's clock.",
        variants: &[
            variant("await", "awaited sleeps").uses(&["tasks"]).explain(
                "Each fetch task awaits a one-second sleep. At the await it hands the \
thread back, so all the waits run at once: ten one-second waits take about one second, \
not ten. Watch the thread's lane: busy for an instant, then idle while every task awaits.",
            ),
            variant("blocking", "one task blocks")
                .uses(&["tasks"])
                .explain(
                    "One task calls a plain sleep (time.sleep, not await asyncio.sleep). It does \
not await, so it keeps the thread: the thread's lane sleeps inside that task, and every \
other task's sleep is over but it cannot run: its lane says it is frozen. The whole run \
takes the blocking sleep plus the others' waits.",
                ),
            variant("gather", "gather").explain(
                "Five tasks sleep 2.5, 0.5, 1.5, 1, 2 seconds. gather awaits them in the \
order they were created and gives their results in that order: main's lane awaits fetch-0 \
while shorter ones are long done.",
            ),
            variant("as-completed", "as_completed").explain(
                "The same five tasks; as_completed gives each result as its task finishes, \
shortest first. Inside, asyncio keeps a queue of finished tasks: here each task puts its \
number into the queue finished, and main takes them out in the order they came.",
            ),
            variant("lock-queue", "async lock, queue").explain(
                "Two producer tasks put items into an async queue of two places; two \
consumer tasks take them and add them to a total under an async lock, awaiting a short \
sleep while they hold it. A task that finds the queue full or empty, or the lock taken, \
awaits: its lane says what for, and the thread goes to a task that can go.",
            ),
        ],
        params: &[param(
            "tasks",
            "tasks that sleep one second each",
            10,
            2,
            50,
        )],
    },
    main,
};

/// The sleeps of `gather` and `as-completed`, in seconds (the thread pool's, halved).
const SLEEPS: [f64; 5] = [2.5, 0.5, 1.5, 1.0, 2.0];
/// The blocking task's plain sleep, in seconds.
const BLOCK_SECS: f64 = 3.0;
/// The task that blocks in `blocking`.
const BLOCKER: usize = 3;

fn main(cfg: &Config) -> Res<()> {
    let cfg = cfg.clone();
    aio::run("main()", async move {
        if cfg.is("gather") || cfg.is("as-completed") {
            orders(cfg.is("gather")).await
        } else if cfg.is("lock-queue") {
            lock_queue().await
        } else {
            overlap(cfg.get("tasks") as usize, cfg.is("blocking")).await
        }
    })
}

/// One fetch: awaits its sleep (or, for the blocker, sleeps without awaiting).
async fn fetch(i: usize, secs: f64, blocks: bool) -> Res<usize> {
    if blocks {
        // time.sleep inside a coroutine: the thread sleeps, and this task keeps it.
        crate::probe::sleep(secs)?;
    } else {
        aio::sleep(secs).await?;
    }
    aio::say(format!("fetch-{i} done after {secs} s"))?;
    Ok(i)
}

async fn overlap(n: usize, blocking: bool) -> Res<()> {
    let started = now();
    let mut tasks = Vec::new();
    for i in 0..n {
        let blocks = blocking && i == BLOCKER.min(n - 1);
        let secs = if blocks { BLOCK_SECS } else { 1.0 };
        tasks.push(aio::create_task(
            &format!("fetch-{i}"),
            fetch(i, secs, blocks),
        )?);
    }
    aio::gather(tasks).await?;
    let took = now() - started;
    if blocking {
        outcome(
            format!(
                "{took:.1} s: fetch-{} slept {BLOCK_SECS:.0} s without awaiting and every other task waited for it",
                BLOCKER.min(n - 1)
            ),
            false,
        );
    } else {
        outcome(
            format!("{n} one-second waits took {took:.1} s on one thread: they overlapped"),
            took < 1.5,
        );
    }
    Ok(())
}

/// `gather` (results in submission order) or `as_completed` (in finishing order).
async fn orders(gather: bool) -> Res<()> {
    let finished: Queue<usize> = Queue::new("finished", 0);
    let mut tasks: Vec<Task<usize>> = Vec::new();
    for (i, secs) in SLEEPS.iter().enumerate() {
        let done = finished.clone();
        let task = async move {
            let i = fetch(i, *secs, false).await?;
            if !gather {
                done.put(i).await?;
            }
            Ok(i)
        };
        tasks.push(aio::create_task(&format!("fetch-{i}"), task)?);
    }
    let mut got = Vec::new();
    if gather {
        got = aio::gather(tasks).await?;
    } else {
        for _ in 0..SLEEPS.len() {
            got.push(finished.get().await?);
            aio::say(format!("main got {}", got[got.len() - 1]))?;
        }
        aio::gather(tasks).await?;
    }
    let mut by_length: Vec<usize> = (0..SLEEPS.len()).collect();
    by_length.sort_by(|a, b| SLEEPS[*a].total_cmp(&SLEEPS[*b]));
    let (how, order, want): (_, _, Vec<usize>) = if gather {
        ("gather", "submission order", (0..SLEEPS.len()).collect())
    } else {
        ("as_completed", "finishing order", by_length)
    };
    outcome(format!("{how} gave {}: {order}", spaced(&got)), got == want);
    Ok(())
}

/// Items per producer in `lock-queue`.
const ITEMS: usize = 4;

async fn lock_queue() -> Res<()> {
    let jobs: Queue<String> = Queue::new("jobs", 2);
    let lock = Lock::new("total-lock");
    let total = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let mut producers = Vec::new();
    for p in 0..2 {
        let jobs = jobs.clone();
        producers.push(aio::create_task(&format!("producer-{p}"), async move {
            for k in 0..ITEMS {
                jobs.put(format!("p{p}-{k}")).await?;
                aio::sleep(0.2).await?;
            }
            Ok(())
        })?);
    }
    let mut consumers = Vec::new();
    for c in 0..2 {
        let (jobs, lock, total) = (jobs.clone(), lock.clone(), total.clone());
        consumers.push(aio::create_task(&format!("consumer-{c}"), async move {
            for _ in 0..ITEMS {
                let item = jobs.get().await?;
                let _held = lock.acquire().await?;
                // Awaiting while holding the lock: the other consumer awaits the lock.
                aio::sleep(0.3).await?;
                total.set(total.get() + 1);
                aio::say(format!("added {item}, total {}", total.get()))?;
            }
            Ok(())
        })?);
    }
    aio::gather(producers).await?;
    aio::gather(consumers).await?;
    let want = 2 * ITEMS;
    outcome(
        format!(
            "the consumers took all {} of {want} items, one at a time under the lock",
            total.get()
        ),
        total.get() == want,
    );
    Ok(())
}
