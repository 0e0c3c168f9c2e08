//! `ThreadPool` (Python's `concurrent.futures.ThreadPoolExecutor`): a fixed set of worker
//! threads taking tasks from a work queue; `submit` gives a `Future`, `map` gives results in
//! submission order, `as_completed` hands futures back in the order they finish.
//!
//! Built from the other primitives: the workers are `Thread`s (lanes `pool-0`, `pool-1`...),
//! the work queue is a probe `Queue`, and waiting for a result parks on the pool's own core,
//! so every wait here ends with `Stop` when the run is cancelled. Unlike Python's executor,
//! which starts threads lazily, all workers start with the pool, so their lanes show from the
//! beginning.

use super::core::{Core, declare};
use super::queue::{Item, Queue};
use super::schedule::Next;
use super::session::{Res, current_worker};
use super::wait::wait_while;
use super::worker::{Handle, Thread, panic_message};
use crate::event::{ObjectKind, Op};
use parking_lot::Mutex;
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

struct Tasks {
    next_task: u64,
    /// For each task, by id: its rank among finished tasks (None while pending or running).
    finished: Vec<Option<u64>>,
    finished_count: u64,
}

type Pool = Arc<Core<Tasks>>;

/// What runs a task on a pool worker, given its number: the user's function plus storing its
/// result. Returns the result's label for the `task_end` event.
type Run = Box<dyn FnOnce(u64) -> Res<String> + Send>;

enum Job {
    Task {
        task: u64,
        run: Run,
    },
    /// Tells one worker to end (sent by `shutdown`).
    Exit,
}

impl Item for Job {
    fn label(&self) -> String {
        match self {
            Job::Task { task, .. } => format!("task {task}"),
            Job::Exit => "exit".to_string(),
        }
    }
}

/// A pool of worker threads. Call `shutdown` to wait for them (Python's `with` block end);
/// dropping the pool without it tells the workers to end once the queue is through.
pub struct ThreadPool {
    pool: Pool,
    jobs: Queue<Job>,
    workers: Vec<Handle>,
    shut: bool,
}

/// A task that panicked: what `Future::result` raises again, as Python re-raises the task's
/// exception.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("task {task} raised: {message}")]
pub struct TaskPanicked {
    pub task: u64,
    /// The panic's message.
    pub message: String,
}

/// A task's result to come (Python's `concurrent.futures.Future`).
pub struct Future<R> {
    task: u64,
    pool: Pool,
    /// Filled by the worker before the task is marked finished.
    slot: Arc<Mutex<Option<Result<R, TaskPanicked>>>>,
}

impl<R> Clone for Future<R> {
    fn clone(&self) -> Self {
        Future {
            task: self.task,
            pool: self.pool.clone(),
            slot: self.slot.clone(),
        }
    }
}

impl ThreadPool {
    /// Starts `workers` threads named `{name}-0`, `{name}-1`... and a work queue `{name}-jobs`.
    pub fn new(name: &str, workers: usize) -> Res<ThreadPool> {
        assert!(
            workers > 0,
            "a pool needs at least one worker (Python: ValueError)"
        );
        let st = Tasks {
            next_task: 0,
            finished: Vec::new(),
            finished_count: 0,
        };
        let pool = declare(name, ObjectKind::Pool, Some(workers as u64), st);
        let jobs: Queue<Job> = Queue::new(&format!("{name}-jobs"), 0);
        let mut handles = Vec::with_capacity(workers);
        for i in 0..workers {
            let (pool, jobs) = (pool.clone(), jobs.clone());
            handles.push(Thread::new(format!("{name}-{i}")).start(move || work(&pool, &jobs))?);
        }
        Ok(ThreadPool {
            pool,
            jobs,
            workers: handles,
            shut: false,
        })
    }

    /// Queues `f` to run on a worker; its result (or panic) lands in the returned future.
    pub fn submit<R, F>(&self, f: F) -> Res<Future<R>>
    where
        F: FnOnce() -> Res<R> + Send + 'static,
        R: Debug + Send + 'static,
    {
        assert!(
            !self.shut,
            "cannot submit to a pool after shutdown (Python: RuntimeError)"
        );
        let me = current_worker();
        let o = self.pool.id;
        me.gate("submit", Some(o))?;
        let slot = Arc::new(Mutex::new(None));
        let out = slot.clone();
        let run: Run = Box::new(move |task| match catch_unwind(AssertUnwindSafe(f)) {
            Ok(Ok(r)) => {
                let label = format!("{r:?}");
                *out.lock() = Some(Ok(r));
                Ok(label)
            }
            Ok(Err(stop)) => Err(stop),
            Err(payload) => {
                let message = panic_message(&*payload);
                let label = format!("raised: {message}");
                *out.lock() = Some(Err(TaskPanicked { task, message }));
                Ok(label)
            }
        });
        let task = {
            let mut st = self.pool.state.lock();
            let task = st.next_task;
            st.next_task += 1;
            st.finished.push(None);
            me.emit(Op::Submit { o, task });
            task
        };
        self.jobs.put(Job::Task { task, run })?;
        Ok(Future {
            task,
            pool: self.pool.clone(),
            slot,
        })
    }

    /// Python's `executor.map(f, items)`: submits one task per item at once; the iterator
    /// yields the results in the order of `items`, waiting for each in turn.
    pub fn map<A, R, F>(&self, f: F, items: impl IntoIterator<Item = A>) -> Res<InOrder<R>>
    where
        A: Send + 'static,
        R: Clone + Debug + Send + 'static,
        F: Fn(A) -> Res<R> + Send + Sync + 'static,
    {
        let f = Arc::new(f);
        let futures = items
            .into_iter()
            .map(|a| {
                let f = f.clone();
                self.submit(move || f(a))
            })
            .collect::<Res<Vec<_>>>()?;
        Ok(InOrder {
            futures: futures.into_iter(),
        })
    }

    /// Python's `shutdown(wait=True)`: lets the queued tasks finish, then ends the workers
    /// and joins them.
    pub fn shutdown(&mut self) -> Res<()> {
        if !self.shut {
            self.shut = true;
            for _ in &self.workers {
                self.jobs.put(Job::Exit)?;
            }
        }
        for w in &self.workers {
            w.join()?;
        }
        Ok(())
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        // No waiting in a drop; and when the run is stopping the puts fail, which is fine:
        // the workers are being stopped too.
        if !self.shut {
            self.shut = true;
            for _ in &self.workers {
                if self.jobs.put(Job::Exit).is_err() {
                    break;
                }
            }
        }
    }
}

/// A pool worker: takes jobs until told to exit.
fn work(pool: &Pool, jobs: &Queue<Job>) -> Res<()> {
    let o = pool.id;
    loop {
        let (task, run) = match jobs.get()? {
            Job::Task { task, run } => (task, run),
            Job::Exit => return Ok(()),
        };
        let me = current_worker();
        me.gate("task", Some(o))?;
        me.emit(Op::TaskBegin { o, task });
        let label = run(task)?;
        let mut st = pool.state.lock();
        st.finished[task as usize] = Some(st.finished_count);
        st.finished_count += 1;
        me.emit(Op::TaskEnd {
            o,
            task,
            result: Some(label),
        });
        pool.cv.notify_all();
    }
}

impl<R: Clone> Future<R> {
    /// The task's number in its pool, in submission order from 0.
    pub fn task(&self) -> u64 {
        self.task
    }

    /// True once the task has finished (Python's `done()`); no event.
    pub fn done(&self) -> bool {
        self.finished_rank().is_some()
    }

    /// Where this task came among the pool's finished tasks (0 = first to finish), once it
    /// has finished; no event. For measuring outcomes (Python has no such call).
    pub fn finished_rank(&self) -> Option<u64> {
        self.pool.state.lock().finished[self.task as usize]
    }

    /// Waits for the task to finish and returns its result (Python's `result()`). A task that
    /// panicked panics here again, as Python re-raises the task's exception.
    pub fn result(&self) -> Res<R> {
        let me = current_worker();
        let o = self.pool.id;
        me.gate("result", Some(o))?;
        {
            let mut st = self.pool.state.lock();
            me.emit(Op::WaitBegin { o });
            let i = self.task as usize;
            let next = Next {
                op: "result",
                o: Some(o),
            };
            wait_while(&me, &self.pool, &mut st, next, None, move |s: &Tasks| {
                s.finished[i].is_none()
            })?;
            me.emit(Op::WaitEnd { o, ok: true });
        }
        match self.slot.lock().clone() {
            Some(Ok(r)) => Ok(r),
            Some(Err(raised)) => panic!("{raised}"),
            None => unreachable!("a finished task has stored its result"),
        }
    }
}

/// Results in submission order (from `ThreadPool::map`).
pub struct InOrder<R> {
    futures: std::vec::IntoIter<Future<R>>,
}

impl<R: Clone> Iterator for InOrder<R> {
    type Item = Res<R>;

    fn next(&mut self) -> Option<Res<R>> {
        self.futures.next().map(|f| f.result())
    }
}

/// Python's `concurrent.futures.as_completed`: yields the futures in the order their tasks
/// finish, each as soon as it has. All must come from one pool.
pub fn as_completed<R: Clone>(futures: &[Future<R>]) -> AsCompleted<R> {
    if let Some(first) = futures.first() {
        assert!(
            futures.iter().all(|f| Arc::ptr_eq(&f.pool, &first.pool)),
            "as_completed: every future must come from the same pool"
        );
    }
    AsCompleted {
        pending: futures.to_vec(),
    }
}

pub struct AsCompleted<R> {
    pending: Vec<Future<R>>,
}

impl<R: Clone> Iterator for AsCompleted<R> {
    type Item = Res<Future<R>>;

    fn next(&mut self) -> Option<Res<Future<R>>> {
        let pool = self.pending.first()?.pool.clone();
        Some(self.next_finished(&pool))
    }
}

impl<R: Clone> AsCompleted<R> {
    /// Waits until one of the pending futures has finished and takes the one that finished
    /// first (several may have finished since the last call).
    fn next_finished(&mut self, pool: &Pool) -> Res<Future<R>> {
        let me = current_worker();
        let o = pool.id;
        me.gate("as_completed", Some(o))?;
        let mut st = pool.state.lock();
        me.emit(Op::WaitBegin { o });
        let earliest = |s: &Tasks, pending: &[Future<R>]| {
            pending
                .iter()
                .enumerate()
                .filter_map(|(i, f)| s.finished[f.task as usize].map(|rank| (rank, i)))
                .min()
                .map(|(_, i)| i)
        };
        let tasks: Vec<usize> = self.pending.iter().map(|f| f.task as usize).collect();
        let none_done = move |s: &Tasks| tasks.iter().all(|t| s.finished[*t].is_none());
        let next = Next {
            op: "as_completed",
            o: Some(o),
        };
        wait_while(&me, pool, &mut st, next, None, none_done)?;
        let i = earliest(&st, &self.pending).expect("the wait ends when one has finished");
        me.emit(Op::WaitEnd { o, ok: true });
        Ok(self.pending.remove(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, ExitHow};
    use crate::probe::sleep;
    use crate::runner::{Options, Run};
    use std::time::Duration;

    fn run(main: impl FnOnce() -> Res<()> + Send + 'static) -> Vec<Event> {
        let options = Options {
            speed: 200.0,
            ..Options::default()
        };
        let run = Run::start(main, options);
        assert!(run.wait_finished(Duration::from_secs(20)), "the run ends");
        run.events().try_iter().collect()
    }

    fn exits(events: &[Event]) -> Vec<ExitHow> {
        events
            .iter()
            .filter_map(|e| match e.op {
                Op::Exit { how, .. } => Some(how),
                _ => None,
            })
            .collect()
    }

    const SECS: [f64; 5] = [0.4, 0.1, 0.3, 0.2, 0.1];

    #[test]
    fn map_keeps_submission_order_and_as_completed_keeps_finishing_order() {
        let events = run(|| {
            let mut pool = ThreadPool::new("pool", 3)?;
            let mapped: Vec<usize> = pool
                .map(
                    |i: usize| {
                        sleep(SECS[i])?;
                        Ok(i)
                    },
                    0..SECS.len(),
                )?
                .collect::<Res<_>>()?;
            assert_eq!(mapped, vec![0, 1, 2, 3, 4]);
            let futures: Vec<Future<usize>> = (0..SECS.len())
                .map(|i| {
                    pool.submit(move || {
                        sleep(SECS[i])?;
                        Ok(i)
                    })
                })
                .collect::<Res<_>>()?;
            let got: Vec<Future<usize>> = as_completed(&futures).collect::<Res<_>>()?;
            let ranks: Vec<u64> = got.iter().map(|f| f.finished_rank().unwrap()).collect();
            let mut sorted = ranks.clone();
            sorted.sort();
            assert_eq!(ranks, sorted, "yielded in the order they finished");
            pool.shutdown()
        });
        assert!(
            exits(&events).iter().all(|h| *h == ExitHow::Ok),
            "{events:?}"
        );
        let submits = events
            .iter()
            .filter(|e| matches!(e.op, Op::Submit { .. }))
            .count();
        let ends = events
            .iter()
            .filter(|e| matches!(e.op, Op::TaskEnd { .. }))
            .count();
        assert_eq!((submits, ends), (10, 10));
    }

    #[test]
    fn a_task_that_panics_is_reraised_by_result_and_the_worker_lives_on() {
        let events = run(|| {
            let mut pool = ThreadPool::new("pool", 1)?;
            let bad: Future<i64> = pool.submit(|| panic!("boom"))?;
            let good = pool.submit(|| Ok(7_i64))?;
            let raised = catch_unwind(AssertUnwindSafe(|| bad.result()));
            assert!(raised.is_err(), "result() re-raises the task's panic");
            assert_eq!(good.result()?, 7, "the same worker ran the next task");
            pool.shutdown()
        });
        assert!(
            exits(&events).iter().all(|h| *h == ExitHow::Ok),
            "{events:?}"
        );
        assert!(events.iter().any(|e| matches!(
            &e.op,
            Op::TaskEnd { result: Some(r), .. } if r == "raised: boom"
        )));
    }

    #[test]
    fn stopping_a_run_ends_a_main_waiting_on_a_future_and_every_worker() {
        let mut run = Run::start(
            || {
                let pool = ThreadPool::new("pool", 2)?;
                let f = pool.submit(|| {
                    sleep(1000.0)?;
                    Ok(0)
                })?;
                f.result().map(|_| ())
            },
            Options::default(),
        );
        std::thread::sleep(Duration::from_millis(100));
        let started = std::time::Instant::now();
        assert!(run.stop(Duration::from_millis(500)));
        assert!(started.elapsed() < Duration::from_millis(500));
        let events: Vec<Event> = run.events().try_iter().collect();
        assert_eq!(exits(&events), vec![ExitHow::Cancelled; 3]);
    }
}
