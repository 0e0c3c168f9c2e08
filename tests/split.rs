//! Side by side through the app's own actions, as the `b` key does: both versions run at
//! once on real threads, each folded into its own world, and restart or quit stops both
//! at once, even deadlocked.

mod common;

use common::app::until;
use std::time::{Duration, Instant};
use threadlanes::app::App;
use threadlanes::keys::Action;
use threadlanes::model::cause::Via;

fn app(scenario: &str, variant: Option<&str>) -> App {
    common::app::app(scenario, variant, false, Some(3), 10.0)
}

#[test]
fn both_versions_run_at_once_each_to_its_own_outcome() {
    let mut a = app("lock", Some("with-lock"));
    a.update(Action::ToggleSplit);
    until(&mut a, "both outcomes", |a| {
        a.world.outcome.is_some() && a.twin_world().is_some_and(|t| t.outcome.is_some())
    });
    assert_eq!(
        a.world.outcome.as_ref().map(|o| o.1),
        Some(true),
        "with the lock"
    );
    let twin = a.twin_world().expect("the other version");
    let names: Vec<&str> = twin.workers.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["main", "job1", "job2"]);
    let wrong = twin.outcome.as_ref().is_some_and(|o| !o.1);
    assert!(
        wrong,
        "without the lock the jobs interleave: {:?}",
        twin.outcome
    );
    // Without the lock nobody waits for it: the only wake-ups are main's joins.
    let vias: Vec<Via> = twin.causes.recent.iter().map(|k| k.via).collect();
    assert!(vias.iter().all(|v| *v == Via::Exit), "{vias:?}");
    let mine = a.world.causes.recent.iter().any(|k| k.via == Via::Release);
    assert!(mine, "with the lock, one job waits for the other's release");
    // b again: one version.
    a.update(Action::ToggleSplit);
    assert!(a.twin_world().is_none());
}

#[test]
fn restart_stops_two_deadlocked_runs_at_once() {
    let mut a = app("deadlock", Some("two-locks"));
    a.update(Action::ToggleSplit);
    until(&mut a, "both deadlocked", |a| {
        a.world.deadlock.is_some() && a.twin_world().is_some_and(|t| t.deadlock.is_some())
    });
    let t = Instant::now();
    a.update(Action::Restart);
    let took = t.elapsed();
    assert!(took < Duration::from_millis(500), "restart took {took:?}");
    assert!(a.twin_world().is_some(), "both started again");
    let t = Instant::now();
    drop(a);
    assert!(
        t.elapsed() < Duration::from_millis(1000),
        "quit took {:?}",
        t.elapsed()
    );
}

#[test]
fn a_scenario_with_one_version_stays_single() {
    let mut a = app("semaphore", None);
    a.update(Action::ToggleSplit);
    assert!(a.twin_world().is_none());
    assert!(a.flash_text().is_some_and(|f| f.contains("one version")));
}
