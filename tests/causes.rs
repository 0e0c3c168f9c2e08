//! Who woke whom, on real seeded streams: every wake-up of the lock, semaphore,
//! traffic-light, producer-consumer and deadlock scenarios is linked to the operation that
//! ended it, and the link is checked against the stream itself.
//!
//! Seeded, one worker runs at a time, and an operation that goes straight through emits its
//! `_begin` and `_end` back to back. So, read from the stream alone: an ok `_end` whose
//! `_begin` is not the event just before it had to wait — a wake-up, which the model must
//! have linked; one right after its `_begin` is not.

mod common;

use threadlanes::event::{Event, Op};
use threadlanes::model::World;
use threadlanes::model::cause::{Via, Wake};

fn stream(scenario: &str, extra: &[&str]) -> Vec<Event> {
    let mut args = vec![scenario, "--seed", "7", "--speed", "1000", "--for", "60"];
    args.extend_from_slice(extra);
    common::headless::run(&args).events
}

/// Whether `ev` is an ok end of a blocking operation.
fn ok_end(op: &Op) -> bool {
    matches!(
        op,
        Op::AcquireEnd { ok: true, .. }
            | Op::WaitEnd { ok: true, .. }
            | Op::PutEnd { ok: true, .. }
            | Op::GetEnd { ok: true, .. }
            | Op::JoinEnd { ok: true, .. }
            | Op::QueueJoinEnd { .. }
    )
}

/// Indices of the ok ends whose begin is not the event just before: the wake-ups.
fn wake_ups(events: &[Event]) -> Vec<u64> {
    (1..events.len())
        .filter(|&i| ok_end(&events[i].op))
        .filter(|&i| events[i - 1].w != events[i].w)
        .map(|i| i as u64)
        .collect()
}

/// The waker's event is the operation the cause names, on the woken worker's object, by
/// another worker, after the woken one began to wait and before it woke.
fn check_link(events: &[Event], k: &Wake, name: &str) {
    let end = &events[k.n as usize];
    assert_eq!(end.w, k.woken, "{name}: {k:?}");
    assert_eq!(end.op.object(), k.o, "{name}: {k:?}");
    assert_ne!(k.by, k.woken, "{name}: woke itself: {k:?}");
    if k.via == Via::Exit {
        let Op::JoinEnd { target, .. } = end.op else {
            panic!("{name}: an exit ended {:?}", end.op);
        };
        assert_eq!(target, k.by, "{name}");
        return;
    }
    let by = &events[k.by_n as usize];
    assert_eq!(by.w, k.by, "{name}: {k:?}");
    assert_eq!(by.op.object(), k.o, "{name}: {k:?} by {by:?}");
    assert!(k.by_n < k.n, "{name}: the cause comes first: {k:?}");
    let fits = match k.via {
        Via::Release => matches!(by.op, Op::Release { .. }),
        Via::Set => matches!(by.op, Op::Set { .. } | Op::NotifyAll { .. }),
        Via::Put => matches!(by.op, Op::PutEnd { .. }),
        Via::Get => matches!(by.op, Op::GetEnd { .. }),
        Via::TaskDone => matches!(by.op, Op::TaskDone { unfinished: 0, .. }),
        other => panic!("{name}: unexpected cause {other:?}"),
    };
    assert!(fits, "{name}: {k:?} by {by:?}");
    // It began to wait before the cause.
    let began = events[..k.by_n as usize]
        .iter()
        .rposition(|e| e.w == k.woken && e.op.name().ends_with("_begin"));
    assert!(began.is_some(), "{name}: {k:?}");
}

fn check(name: &str, extra: &[&str], want: &[Via]) {
    let events = stream(name, extra);
    let mut world = World::default();
    for e in &events {
        world.apply(e);
    }
    let causes = &world.causes;
    assert_eq!(causes.unexplained, 0, "{name}: wake-ups with no cause");
    let linked: Vec<u64> = causes.recent.iter().map(|k| k.n).collect();
    assert_eq!(causes.linked as usize, linked.len(), "{name}: all kept");
    assert_eq!(
        linked,
        wake_ups(&events),
        "{name}: the wake-ups of the stream"
    );
    for k in &causes.recent {
        check_link(&events, k, name);
    }
    for via in want {
        assert!(
            causes.recent.iter().any(|k| k.via == *via),
            "{name}: no wake-up by {via:?}"
        );
    }
}

#[test]
fn every_wake_up_of_the_lock_scenario_has_its_release() {
    check(
        "lock",
        &["--variant", "with-lock"],
        &[Via::Release, Via::Exit],
    );
}

#[test]
fn every_wake_up_of_the_semaphore_scenario_has_its_release() {
    check("semaphore", &[], &[Via::Release]);
}

#[test]
fn every_car_woken_by_the_light_has_its_set() {
    check("traffic-light", &[], &[Via::Set]);
}

#[test]
fn producers_and_consumers_wake_each_other_through_the_queue() {
    check(
        "producer-consumer",
        &[],
        &[Via::Put, Via::Get, Via::TaskDone],
    );
}

#[test]
fn the_deadlock_handshake_wakes_by_set_and_the_cycle_wakes_nobody() {
    let events = stream("deadlock", &[]);
    let mut world = World::default();
    let mut formed = false;
    for e in &events {
        world.apply(e);
        formed |= world.deadlock.is_some();
    }
    assert!(formed, "the cycle formed");
    check("deadlock", &[], &[Via::Set]);
    check(
        "deadlock",
        &["--variant", "ordered"],
        &[Via::Release, Via::Exit],
    );
}
