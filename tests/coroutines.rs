//! The `coroutines` scenario's lessons, measured from its stream: awaited waits overlap, a
//! plain sleep in a task freezes the others, gather and as_completed give their orders,
//! and an async lock and queue hand over between tasks. Seeded runs, so the virtual times
//! are exact.

mod common;

use common::headless::{Out, exits, outcome, run, says, worker};
use threadlanes::event::{ExitHow, Op, WorkerKind};
use threadlanes::model::World;
use threadlanes::model::check::check_all;
use threadlanes::model::describe;

const S: u64 = 1_000_000_000;

fn coroutines(variant: &str, extra: &[&str]) -> Out {
    let mut args = vec![
        "coroutines",
        "--variant",
        variant,
        "--seed",
        "3",
        "--speed",
        "200",
    ];
    args.extend(extra);
    let o = run(&args);
    let violations = check_all(&o.events);
    assert!(violations.is_empty(), "{variant}: {violations:?}");
    o
}

/// When worker `name` did its last op of this kind.
fn time_of(o: &Out, name: &str, is: impl Fn(&Op) -> bool) -> u64 {
    let w = worker(o, name);
    o.events
        .iter()
        .rfind(|e| e.w == w && is(&e.op))
        .unwrap_or_else(|| panic!("{name} never did it"))
        .t
}

fn tasks(o: &Out) -> Vec<String> {
    o.events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Worker {
                kind: WorkerKind::Task,
                name,
                thread,
                ..
            } => {
                assert_eq!(*thread, Some(0), "every task runs on main");
                Some(name.clone())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn ten_awaited_one_second_sleeps_take_about_one_second() {
    let o = coroutines("await", &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(tasks(&o).len(), 11, "main() and ten fetches");
    let first = time_of(&o, "fetch-0", |op| matches!(op, Op::Start));
    let last = time_of(&o, "fetch-9", |op| matches!(op, Op::Exit { .. }));
    let took = last - first;
    assert!((S..S + S / 10).contains(&took), "took {took} ns");
    let (text, ok) = outcome(&o);
    assert!(
        ok && text.starts_with("10 one-second waits took 1.0 s"),
        "{text}"
    );
    // The same free, on the run's real-time clock: still about one second, not ten.
    let o = run(&["coroutines", "--variant", "await", "--speed", "20"]);
    assert!(outcome(&o).1, "{:?}", outcome(&o));
}

#[test]
fn a_plain_sleep_in_a_task_keeps_the_thread_and_freezes_the_others() {
    let o = coroutines("blocking", &[]);
    assert_eq!(o.code, 1, "the mistake's outcome: {}", o.stderr);
    // The thread itself sleeps 3 s while fetch-3 runs: no await, so no hand-off.
    let main = worker(&o, "main");
    let blocked = o
        .events
        .iter()
        .find(|e| e.w == main && matches!(e.op, Op::SleepBegin { ms: 3000 }))
        .expect("main sleeps inside fetch-3")
        .t;
    // fetch-0's one-second sleep is over at 1 s, but it wakes only when the thread is back.
    let woke = time_of(&o, "fetch-0", |op| matches!(op, Op::SleepEnd));
    assert!(woke >= blocked + 3 * S, "fetch-0 woke at {woke}");
    // Halfway through the block, fetch-0's lane says it is frozen, and by whom.
    let mut world = World::default();
    for e in o.events.iter().filter(|e| e.t <= blocked + 2 * S) {
        world.apply(e);
    }
    world.advance(blocked + 2 * S);
    let fetch0 = world.worker(worker(&o, "fetch-0")).expect("fetch-0");
    assert_eq!(
        describe::state(&world, fetch0),
        "frozen: fetch-3 keeps main"
    );
    let main_lane = describe::state(&world, world.worker(main).expect("main"));
    assert!(
        main_lane.starts_with("fetch-3 keeps it, no await"),
        "{main_lane}"
    );
    let (text, ok) = outcome(&o);
    assert!(!ok && text.starts_with("4.0 s"), "{text}");
}

#[test]
fn gather_keeps_submission_order_and_as_completed_finishing_order() {
    let o = coroutines("gather", &[]);
    let (text, ok) = outcome(&o);
    assert!(
        ok && text == "gather gave 0 1 2 3 4: submission order",
        "{text}"
    );
    // They finished shortest first all the same.
    let done: Vec<String> = says(&o)
        .into_iter()
        .filter(|s| s.contains("done"))
        .collect();
    assert!(done[0].starts_with("fetch-1 "), "{done:?}");
    let o = coroutines("as-completed", &[]);
    let (text, ok) = outcome(&o);
    assert!(
        ok && text == "as_completed gave 1 3 2 4 0: finishing order",
        "{text}"
    );
    let got: Vec<String> = says(&o)
        .into_iter()
        .filter_map(|s| s.strip_prefix("main got ").map(str::to_string))
        .collect();
    assert_eq!(got, ["1", "3", "2", "4", "0"]);
}

/// Some `begin` not followed at once by its `end`: a task awaited there.
fn awaited(o: &Out, begin: impl Fn(&Op) -> bool, end: impl Fn(&Op) -> bool) -> bool {
    o.events
        .windows(2)
        .any(|p| begin(&p[0].op) && !end(&p[1].op))
}

#[test]
fn an_async_lock_and_queue_hand_over_between_tasks() {
    let o = coroutines("lock-queue", &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(outcome(&o).1, "{:?}", outcome(&o));
    // Some consumer found the lock taken and awaited it: its acquire ended later.
    assert!(
        awaited(
            &o,
            |op| matches!(op, Op::AcquireBegin { .. }),
            |op| matches!(op, Op::AcquireEnd { .. })
        ),
        "no task ever awaited the lock"
    );
    // And some producer found the queue full.
    assert!(
        awaited(
            &o,
            |op| matches!(op, Op::PutBegin { .. }),
            |op| matches!(op, Op::PutEnd { .. })
        ),
        "no producer ever awaited room"
    );
}

#[test]
fn a_run_cut_while_tasks_await_ends_every_task_as_cancelled() {
    let o = run(&["coroutines", "--speed", "1", "--for", "0.5"]);
    assert_eq!(o.code, 2, "cut by --for: {}", o.stderr);
    let declared = o
        .events
        .iter()
        .filter(|e| matches!(e.op, Op::Worker { .. }))
        .count();
    let ended = o
        .events
        .iter()
        .filter(|e| matches!(e.op, Op::Exit { .. }))
        .count();
    assert_eq!(declared, ended, "{}", o.stderr);
    assert_eq!(exits(&o, ExitHow::Cancelled), declared, "{}", o.stderr);
    assert!(check_all(&o.events).is_empty());
}

#[test]
fn seeded_runs_of_the_coroutines_repeat_exactly() {
    let strip = |o: &Out| -> Vec<String> {
        o.events
            .iter()
            .map(|e| format!("{} {} {:?}", e.t, e.w, e.op))
            .collect()
    };
    for v in ["await", "lock-queue"] {
        let a = strip(&coroutines(v, &[]));
        let b = strip(&coroutines(v, &[]));
        assert_eq!(a, b, "{v}");
    }
}

/// Step mode through the app's actions: each task's operations wait at the gate as that
/// task (its own lane selected and stepped), and stepping alone brings the run to its end.
#[test]
fn step_mode_steps_each_task_and_the_idle_thread_to_the_end() {
    let mut app = common::app::app("coroutines", Some("lock-queue"), true, None, 1.0);
    let mut stepped_tasks = std::collections::BTreeSet::new();
    for _ in 0..600 {
        if app.world.outcome.is_some() {
            break;
        }
        common::app::until(&mut app, "someone at the gate", |a| {
            !a.next_ops().is_empty() || a.world.outcome.is_some()
        });
        let Some(go) = app.next_ops().first().cloned() else {
            continue;
        };
        let wk = app.world.worker(go.w).expect("declared");
        if wk.kind == WorkerKind::Task {
            stepped_tasks.insert(wk.name.clone());
        }
        let before = app.world.events;
        app.view.selected = app
            .world
            .workers
            .iter()
            .position(|x| x.id == go.w)
            .expect("a lane");
        app.update(threadlanes::keys::Action::Step);
        common::app::until(&mut app, "the step", |a| a.world.events > before);
    }
    let (text, ok) = app.world.outcome.clone().expect("stepped to the outcome");
    assert!(ok, "{text}");
    for t in [
        "main()",
        "producer-0",
        "producer-1",
        "consumer-0",
        "consumer-1",
    ] {
        assert!(
            stepped_tasks.contains(t),
            "{t} never stepped: {stepped_tasks:?}"
        );
    }
}

/// Step mode: of the tasks that can go on, the one the user picks runs next — here the
/// last one created goes first.
#[test]
fn in_step_mode_the_user_picks_which_ready_task_runs_next() {
    let mut app = common::app::app("coroutines", Some("await"), true, None, 1.0);
    let lane = |app: &threadlanes::app::App, name: &str| {
        app.world
            .workers
            .iter()
            .position(|w| w.name == name)
            .expect("a lane")
    };
    let parked = |app: &threadlanes::app::App, name: &str| {
        app.next_ops()
            .iter()
            .any(|n| app.world.worker_name(n.w) == name)
    };
    // Step main() until every fetch task waits to begin.
    for _ in 0..100 {
        common::app::until(&mut app, "someone at the gate", |a| {
            !a.next_ops().is_empty()
        });
        if parked(&app, "fetch-9") && parked(&app, "fetch-0") {
            break;
        }
        let go = app.next_ops()[0].w;
        let before = app.world.events;
        app.view.selected = app
            .world
            .workers
            .iter()
            .position(|w| w.id == go)
            .expect("lane");
        app.update(threadlanes::keys::Action::Step);
        common::app::until(&mut app, "the step", |a| a.world.events > before);
    }
    assert!(
        parked(&app, "fetch-9"),
        "the fetch tasks wait for their turn"
    );
    let before = app.world.events;
    app.view.selected = lane(&app, "fetch-9");
    app.update(threadlanes::keys::Action::Step);
    common::app::until(&mut app, "fetch-9 starts", |a| a.world.events > before);
    let fetch9 = app
        .world
        .worker(app.world.workers[lane(&app, "fetch-9")].id)
        .expect("fetch-9");
    assert!(fetch9.is_alive(), "fetch-9 began first");
    let fetch0 = &app.world.workers[lane(&app, "fetch-0")];
    assert!(
        !fetch0.is_alive() && !fetch0.is_done(),
        "fetch-0 has not begun"
    );
}

#[test]
fn different_seeds_run_ready_tasks_in_different_orders() {
    let starts = |seed: &str| -> Vec<String> {
        let o = run(&[
            "coroutines",
            "--variant",
            "await",
            "--seed",
            seed,
            "--speed",
            "200",
        ]);
        o.events
            .iter()
            .filter(|e| matches!(e.op, Op::Start))
            .map(|e| e.w.to_string())
            .collect()
    };
    let a = starts("1");
    assert_ne!(a, starts("2"), "the seed picks which ready task goes");
    assert_eq!(a, starts("1"));
}
