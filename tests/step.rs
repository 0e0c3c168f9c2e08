//! Step mode driven through the app's own actions, as the keys do: exactly one operation
//! happens per step, and a worker blocked by the semantics cannot be chosen.

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

/// Events since the `from`-th; object declarations aside (they pass no gate).
fn ops_since(app: &App, from: u64) -> Vec<(u32, &'static str)> {
    app.world
        .log
        .iter()
        .skip(from as usize)
        .filter(|e| !matches!(e.op, Op::Object { .. }))
        // A worker's declaration names the new worker; it is its parent's operation.
        .map(|e| match e.op {
            Op::Worker {
                parent: Some(p), ..
            } => (p, e.op.name()),
            _ => (e.w, e.op.name()),
        })
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
                app.flash_text().unwrap().contains("cannot go"),
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
        app.view.selected = lane_of(&app, go.w);
        app.update(Action::Step);
        // The step is over when the worker is back at the gate or gone.
        until(&mut app, "the step to finish", |a| {
            a.world.events > before
                && (a.next_ops().iter().any(|n| n.w == go.w)
                    || a.world.worker(go.w).is_some_and(|w| w.is_done()))
        });
        let ops = ops_since(&app, before);
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
    assert_eq!(then.events, live.events - 2, "two events back");
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
