//! Step mode driven through the app's own actions, as the keys do: exactly one operation
//! happens per step (setup that teaches nothing — declarations, starting a thread, a
//! thread's own start — goes by itself, costing no step), and a worker blocked by the
//! semantics cannot be chosen.

mod common;

use common::app::until;
use threadlanes::app::App;
use threadlanes::event::Op;
use threadlanes::keys::Action;

fn app(scenario: &str, variant: &str) -> App {
    common::app::app(scenario, Some(variant), true, None, 1.0)
}

fn lane_of(app: &App, w: u32) -> usize {
    app.world.workers.iter().position(|x| x.id == w).unwrap()
}

/// Setup: it passes no gate (declarations) or passes it without a step (a thread's start).
fn is_setup(op: &Op) -> bool {
    matches!(op, Op::Object { .. } | Op::Worker { .. } | Op::Start)
}

/// Operations since the `from`-th event, setup aside.
/// The operations the log has said since it held `from` entries (parks at the gate are
/// drawn in the lanes, not logged).
fn ops_since(app: &App, from: usize) -> Vec<(u32, &'static str)> {
    app.world
        .log
        .iter()
        .skip(from)
        .filter(|e| !is_setup(&e.op))
        .map(|e| (e.w, e.op.name()))
        .collect()
}

#[test]
fn each_step_is_one_operation_of_the_chosen_worker() {
    let mut app = app("deadlock", "two-locks");
    let mut steps = 0;
    let mut refused = false;
    while steps < 60 && app.world.deadlock.is_none() {
        // Every live worker at the gate: a thread just started may still be on its way.
        until(&mut app, "every live worker parked", |a| {
            let live = a.world.workers.iter().filter(|w| !w.is_done()).count();
            live > 0 && a.next_ops().len() == live
        });
        // A worker that cannot go is refused, and nothing happens.
        if let Some(blocked) = app.next_ops().iter().find(|n| !n.ready).cloned() {
            let before = app.world.events;
            app.view.selected = lane_of(&app, blocked.w);
            app.update(Action::Step);
            assert!(
                app.flash_text().unwrap().contains("can't go"),
                "{:?}",
                app.flash_text()
            );
            app.pump();
            assert_eq!(app.world.events, before, "a refused step changed nothing");
            refused = true;
        }
        let Some(go) = app.next_ops().iter().find(|n| n.ready).cloned() else {
            break;
        };
        let before = app.world.events;
        let logged = app.world.log.len();
        app.view.selected = lane_of(&app, go.w);
        app.update(Action::Step);
        // The step is over when the worker is back at the gate or gone.
        until(&mut app, "the step to finish", |a| {
            a.world.events > before
                && (a.next_ops().iter().any(|n| n.w == go.w)
                    || a.world.worker(go.w).is_some_and(|w| w.is_done()))
        });
        let ops = ops_since(&app, logged);
        assert!(
            ops.iter().all(|(w, _)| *w == go.w),
            "step of {}: {ops:?}",
            go.w
        );
        let names: Vec<_> = ops.iter().map(|(_, n)| *n).collect();
        let one = names.len() == 1
            || (names.len() == 2 && names[0].ends_with("_begin") && names[1].ends_with("_end"));
        assert!(one, "one step, one operation: {names:?}");
        steps += 1;
    }
    assert!(
        app.world.deadlock.is_some(),
        "stepping reached the deadlock"
    );
    assert!(refused, "a blocked worker was offered and refused");
}

#[test]
fn scrubbing_shows_an_earlier_world() {
    let mut app = app("race", "no-lock");
    for _ in 0..12 {
        until(&mut app, "a worker ready", |a| {
            a.next_ops().iter().any(|n| n.ready)
        });
        let go = app.next_ops().iter().find(|n| n.ready).unwrap().w;
        let before = app.world.events;
        app.view.selected = lane_of(&app, go);
        app.update(Action::Step);
        until(&mut app, "the step", |a| a.world.events > before);
    }
    let live = app.world.clone();
    app.update(Action::Left);
    app.update(Action::Left);
    let then = app.shown_world();
    // Two operations back (a park at the gate, drawn and not logged, is no moment of its own).
    assert_eq!(then.log.len(), live.log.len() - 2, "two operations back");
    assert!(then.events < live.events - 1);
    assert!(then.t <= live.t);
    app.update(Action::Right);
    app.update(Action::Right);
    // Back at the live end: the live world again, and → is a step again.
    assert_eq!(app.shown_world().events, live.events);
    assert_eq!(
        format!("{:?}", app.shown_world().objects),
        format!("{:?}", live.objects)
    );
}

/// The walkthrough's first screen: main has made its objects, started both threads and
/// waits to join them; each thread waits at its first real operation. No step was taken.
#[test]
fn setup_costs_the_learner_no_step() {
    let mut app = app("race", "no-lock");
    until(&mut app, "main, t1 and t2 parked", |a| {
        a.next_ops().len() == 3
    });
    let next = |name: &str| {
        let w = app.world.workers.iter().find(|w| w.name == name).unwrap();
        let n = app.next_ops().iter().find(|n| n.w == w.id).unwrap();
        (n.text.clone(), n.ready)
    };
    assert_eq!(next("main"), ("next: join".into(), true));
    assert_eq!(next("t1"), ("next: read value balance".into(), true));
    assert_eq!(next("t2"), ("next: read value balance".into(), true));
    assert_eq!(ops_since(&app, 0), vec![(0, "write")], "only setup so far");
}

/// A blocked worker's refusal names what it waits for and who holds it, as its lane does.
#[test]
fn a_refused_step_says_what_the_worker_waits_for() {
    let mut app = app("race", "with-lock");
    until(&mut app, "main, t1 and t2 parked", |a| {
        a.next_ops().len() == 3
    });
    let (t1, t2) = (lane_of(&app, 1), lane_of(&app, 2));
    for (lane, done) in [(t1, "acquired"), (t2, "acquire")] {
        let before = app.world.events;
        app.view.selected = lane;
        app.update(Action::Step);
        until(&mut app, done, |a| {
            a.world.events > before && a.next_ops().len() == 3
        });
    }
    let t2_hint = app.next_ops().iter().find(|n| n.w == 2).unwrap().clone();
    assert!(!t2_hint.ready);
    assert_eq!(t2_hint.text, "can't go: waiting for lock (held by t1)");
    // The selection left t2 for a worker that can go; back on t2, `.` says why not.
    assert_ne!(
        app.view.selected, t2,
        "the selection moved off the blocked t2"
    );
    app.view.selected = t2;
    app.update(Action::Step);
    assert_eq!(
        app.flash_text(),
        Some("t2 can't go: waiting for lock (held by t1)")
    );
}

/// After a step that leaves the selected worker unable to go (and on entering step mode,
/// by the same path) the selection moves to the next worker that can go, so `.` always steps someone.
#[test]
fn the_selection_moves_to_a_worker_that_can_go() {
    let mut app = app("race", "with-lock");
    until(&mut app, "main, t1 and t2 parked", |a| {
        a.next_ops().len() == 3
    });
    let ready = |a: &App| {
        let w = a.world.workers[a.view.selected].id;
        a.next_ops().iter().any(|n| n.w == w && n.ready)
    };
    // t1 takes the lock; t2 asks for it and blocks.
    for lane in [lane_of(&app, 1), lane_of(&app, 2)] {
        let before = app.world.events;
        app.view.selected = lane;
        app.update(Action::Step);
        until(&mut app, "the step over", |a| {
            a.world.events > before && a.next_ops().len() == 3
        });
    }
    until(&mut app, "the selection on a worker that can go", ready);
}

/// Leaving step mode while scrubbed back leaves the scrub too: the run goes on, and so
/// does the screen.
#[test]
fn leaving_step_mode_leaves_the_scrub() {
    let mut app = app("race", "no-lock");
    until(&mut app, "main, t1 and t2 parked", |a| {
        a.next_ops().len() == 3
    });
    let before = app.world.events;
    app.view.selected = lane_of(&app, 1);
    app.update(Action::Step);
    until(&mut app, "t1 read", |a| a.world.events > before);
    app.update(Action::Left);
    assert!(app.status.scrub.is_some(), "scrubbed back");
    app.update(Action::ToggleStep);
    assert!(app.status.scrub.is_none(), "the scrub left with step mode");
    assert_eq!(app.shown_world().events, app.world.events, "now on screen");
}

/// Scrubbed back in step mode, the lanes say what each worker did next after that moment,
/// not what the live workers are about to do.
#[test]
fn scrubbing_in_step_mode_shows_that_moments_hints() {
    let mut app = app("race", "no-lock");
    until(&mut app, "main, t1 and t2 parked", |a| {
        a.next_ops().len() == 3
    });
    // t1 reads, then sleeps: live, t1 is about to write.
    for _ in 0..2 {
        let before = app.world.events;
        app.view.selected = lane_of(&app, 1);
        app.update(Action::Step);
        until(&mut app, "t1's step", |a| {
            a.world.events > before && a.next_ops().iter().any(|n| n.w == 1)
        });
    }
    let live = |a: &App| a.next_ops().iter().find(|n| n.w == 1).unwrap().text.clone();
    assert_eq!(live(&app), "next: write value balance");
    // Back to before t1's sleep (its begin and end): t1 then slept next.
    app.update(Action::Left);
    app.update(Action::Left);
    let shown = app.shown_next_ops();
    let t1 = shown.iter().find(|n| n.w == 1).unwrap();
    assert_eq!(t1.text, "then: sleeps 50ms");
    // t2 has done nothing since: its next operation then is its next operation now.
    let t2 = shown.iter().find(|n| n.w == 2).unwrap();
    assert_eq!(t2.text, "next: read value balance");
    app.update(Action::Right);
    app.update(Action::Right);
    assert_eq!(app.shown_next_ops(), app.next_ops(), "live again");
    // A step taken while scrubbed back happens now, and the screen comes back to now.
    app.update(Action::Left);
    assert_ne!(app.shown_next_ops(), app.next_ops());
    let before = app.world.events;
    app.update(Action::Step);
    assert_eq!(app.shown_next_ops(), app.next_ops(), "back to now");
    until(&mut app, "t1 wrote", |a| a.world.events > before);
}

/// Resuming after a scrub leaves the scrub: the run goes on and the screen shows now.
#[test]
fn resuming_leaves_the_scrub() {
    let mut app = common::app::app("lock-hold", None, false, None, 1.0);
    until(&mut app, "a few events", |a| a.world.events > 4);
    app.update(Action::TogglePause);
    app.update(Action::Left);
    app.update(Action::Left);
    assert!(app.status.scrub.is_some(), "scrubbed back");
    app.update(Action::TogglePause);
    assert!(app.status.scrub.is_none(), "resuming left the scrub");
    assert_eq!(app.shown_world().events, app.world.events, "now on screen");
}
