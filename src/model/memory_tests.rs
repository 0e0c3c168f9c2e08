//! Shared memory in the model: each process that maps the block is said; a close unmaps
//! the mapping of the process that closes it; a process that ends takes its mappings with
//! it; unlink removes the name, not the memory; the bytes read from the block mark what
//! changed since the read before.

use super::check::check_all;
use super::object::ObjectState;
use super::*;
use crate::event::{Event, MapHow, ObjectKind, Op, WorkerKind};

const SHM: u32 = 1;

fn ev(t: u64, pid: u32, w: u32, op: Op) -> Event {
    Event { t, pid, w, op }
}

fn worker(pid: u32, w: u32, name: &str, kind: WorkerKind) -> [Event; 2] {
    let decl = Op::Worker {
        name: name.into(),
        kind,
        daemon: false,
        parent: None,
        thread: None,
    };
    [ev(0, pid, w, decl), ev(0, pid, w, Op::Start)]
}

/// main (pid 1) creates and maps the block; child (pid 2, a process) and its thread t
/// (pid 2) map it too.
fn mapped() -> Vec<Event> {
    let mut evs = Vec::new();
    evs.extend(worker(1, 0, "main", WorkerKind::Main));
    evs.push(ev(
        1,
        1,
        0,
        Op::Object {
            o: SHM,
            name: "psm_1a2b".into(),
            kind: ObjectKind::SharedMemory,
            capacity: Some(16),
        },
    ));
    evs.push(ev(
        2,
        1,
        0,
        Op::Attach {
            o: SHM,
            how: MapHow::Opened,
        },
    ));
    evs.extend(worker(2, 1, "child", WorkerKind::Process));
    evs.extend(worker(2, 2, "t", WorkerKind::Thread));
    evs.push(ev(
        3,
        2,
        2,
        Op::Attach {
            o: SHM,
            how: MapHow::Opened,
        },
    ));
    evs
}

fn world_of(evs: &[Event]) -> World {
    let mut w = World::default();
    for e in evs {
        w.apply(e);
    }
    w
}

fn shm(w: &World) -> &Object {
    w.object(SHM).expect("declared")
}

#[test]
fn each_process_that_maps_it_is_said_and_a_close_unmaps_its_own() {
    let mut evs = mapped();
    let w = world_of(&evs);
    assert_eq!(w.mapping(shm(&w)), [0, 2]);
    // The child's main thread closes what its thread t mapped: the process's mapping goes.
    evs.push(ev(4, 2, 1, Op::Detach { o: SHM }));
    let w = world_of(&evs);
    assert_eq!(w.mapping(shm(&w)), [0]);
    assert!(check_all(&evs).is_empty());
    assert_eq!(
        describe::event(&w, &evs[evs.len() - 1]),
        "unmaps shared memory psm_1a2b (close)"
    );
}

#[test]
fn a_process_that_ends_takes_its_mappings_with_it() {
    let mut evs = mapped();
    evs.push(ev(
        5,
        2,
        1,
        Op::Exit {
            how: crate::event::ExitHow::Ok,
            msg: None,
        },
    ));
    let w = world_of(&evs);
    assert_eq!(
        w.mapping(shm(&w)),
        [0],
        "the child never closed it, and ended"
    );
}

#[test]
fn unlink_removes_the_name_not_the_memory() {
    let mut evs = mapped();
    evs.push(ev(6, 1, 0, Op::Unlink { o: SHM }));
    let w = world_of(&evs);
    let ObjectState::SharedMemory { unlinked, .. } = &shm(&w).state else {
        panic!("shared memory")
    };
    assert!(*unlinked);
    assert_eq!(w.mapping(shm(&w)), [0, 2], "still mapped where it was");
}

#[test]
fn bytes_read_from_the_block_mark_what_changed() {
    let mut w = world_of(&mapped());
    assert!(w.saw_memory(SHM, 10, &[0, 0, 7]));
    assert!(
        !w.saw_memory(SHM, 11, &[0, 0, 7]),
        "the same bytes change nothing"
    );
    assert!(w.saw_memory(SHM, 12, &[1, 0, 7]));
    let ObjectState::SharedMemory { bytes: Some(b), .. } = &shm(&w).state else {
        panic!("bytes seen")
    };
    assert_eq!((b.t, b.bytes.as_slice()), (12, &[1, 0, 7][..]));
    assert_eq!(b.changed, [true, false, false]);
    assert!(!w.saw_memory(99, 12, &[1]), "no such block");
}
