//! The lock-order graph's tests: folded from events by the world, worded by describe.

use super::describe::possible_deadlocks as warnings;
use super::lockorder::{EDGES_KEPT, LockOrder};
use super::world::World;
use crate::event::{Event, ObjectId, ObjectKind, Op, WorkerId, WorkerKind};

fn ev(t: u64, w: WorkerId, op: Op) -> Event {
    Event { t, pid: 1, w, op }
}

fn world(kind: ObjectKind) -> World {
    let mut world = World::default();
    for (w, name) in [(1, "t1"), (2, "t2"), (3, "t3")] {
        world.apply(&ev(
            0,
            w,
            Op::Worker {
                name: name.into(),
                kind: WorkerKind::Thread,
                daemon: false,
                parent: Some(0),
                thread: None,
            },
        ));
    }
    for (o, name) in [(1, "A"), (2, "B"), (3, "C")] {
        world.apply(&ev(
            0,
            0,
            Op::Object {
                o,
                name: name.into(),
                kind,
                capacity: None,
            },
        ));
    }
    world
}

/// `w` takes the locks in `order`, then lets them go, at time `t`.
fn take(world: &mut World, t: u64, w: WorkerId, order: &[ObjectId]) {
    for &o in order {
        world.apply(&ev(t, w, Op::AcquireBegin { o }));
        world.apply(&ev(
            t,
            w,
            Op::AcquireEnd {
                ok: true,
                o,
                depth: None,
                value: None,
            },
        ));
    }
    for &o in order.iter().rev() {
        world.apply(&ev(
            t,
            w,
            Op::Release {
                o,
                depth: None,
                value: None,
            },
        ));
    }
}

#[test]
fn opposite_orders_in_a_lucky_run_are_a_possible_deadlock() {
    let mut w = world(ObjectKind::Lock);
    take(&mut w, 1, 1, &[1, 2]);
    assert!(warnings(&w).is_empty(), "one order is no cycle");
    take(&mut w, 2, 2, &[2, 1]);
    assert!(w.deadlock.is_none(), "this run did not deadlock");
    assert_eq!(warnings(&w), ["t1 takes A then B; t2 takes B then A"]);
}

#[test]
fn one_worker_in_both_orders_cannot_deadlock_alone() {
    let mut w = world(ObjectKind::Lock);
    take(&mut w, 1, 1, &[1, 2]);
    take(&mut w, 2, 1, &[2, 1]);
    assert!(!w.lock_order.any());
    // A second worker in one of the orders makes it possible.
    take(&mut w, 3, 2, &[2, 1]);
    assert_eq!(warnings(&w), ["t1 takes A then B; t2 takes B then A"]);
}

#[test]
fn a_cycle_through_three_locks_names_every_order() {
    let mut w = world(ObjectKind::Lock);
    take(&mut w, 1, 1, &[1, 2]);
    take(&mut w, 2, 2, &[2, 3]);
    take(&mut w, 3, 3, &[3, 1]);
    assert_eq!(
        warnings(&w),
        ["t1 takes A then B; t2 takes B then C; t3 takes C then A"]
    );
}

#[test]
fn the_same_order_everywhere_and_semaphores_warn_of_nothing() {
    let mut w = world(ObjectKind::Lock);
    take(&mut w, 1, 1, &[1, 2]);
    take(&mut w, 2, 2, &[1, 2]);
    assert!(warnings(&w).is_empty());
    assert_eq!(w.lock_order.edges().len(), 1);
    let mut s = world(ObjectKind::Semaphore);
    take(&mut s, 1, 1, &[1, 2]);
    take(&mut s, 2, 2, &[2, 1]);
    assert!(s.lock_order.edges().is_empty());
}

#[test]
fn an_rlock_taken_again_is_no_order() {
    let mut w = world(ObjectKind::RLock);
    take(&mut w, 1, 1, &[1, 1]);
    assert!(w.lock_order.edges().is_empty());
}

#[test]
fn the_orders_kept_are_bounded() {
    let mut lo = LockOrder::default();
    for i in 0..(EDGES_KEPT as u32 + 10) {
        lo.observe(i, i + 1, 1, 0);
    }
    assert_eq!(lo.edges().len(), EDGES_KEPT);
    assert_eq!(lo.dropped, 10);
}
