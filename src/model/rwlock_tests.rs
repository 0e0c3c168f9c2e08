//! An rwlock and a rendezvous channel in the model: readers hold it together, a writer
//! waits for every reader, readers wait behind a writer; the words, the wait-for graph and
//! the checker say so. A rendezvous holds nothing and says so.

use super::check::check_all;
use super::*;
use crate::event::{Event, ObjectKind, Op, WorkerKind};

const RW: u32 = 1;

fn ev(t: u64, w: u32, op: Op) -> Event {
    Event { t, pid: 1, w, op }
}

/// main declares the rwlock; r1, r2 and wr are threads.
fn start() -> Vec<Event> {
    let mut evs = vec![ev(
        0,
        0,
        Op::Object {
            o: RW,
            name: "config".into(),
            kind: ObjectKind::RwLock,
            capacity: None,
        },
    )];
    for (w, name) in [(0, "main"), (1, "r1"), (2, "r2"), (3, "wr")] {
        let kind = if w == 0 {
            WorkerKind::Main
        } else {
            WorkerKind::Thread
        };
        evs.push(ev(
            0,
            w,
            Op::Worker {
                name: name.into(),
                kind,
                daemon: false,
                parent: None,
                thread: None,
            },
        ));
        evs.push(ev(0, w, Op::Start));
    }
    evs
}

fn read(t: u64, w: u32) -> [Event; 2] {
    [
        ev(t, w, Op::AcquireSharedBegin { o: RW }),
        ev(t, w, Op::AcquireSharedEnd { ok: true, o: RW }),
    ]
}

/// `w` has the rwlock to write (its acquire went through).
fn written(t: u64, w: u32) -> Event {
    ev(
        t,
        w,
        Op::AcquireEnd {
            ok: true,
            o: RW,
            depth: None,
            value: None,
        },
    )
}

fn world(evs: &[Event]) -> World {
    let mut w = World::default();
    for e in evs {
        w.apply(e);
    }
    w
}

fn words(world: &World, w: u32) -> String {
    describe::state(world, world.worker(w).expect("a worker"))
}

#[test]
fn readers_hold_it_together_and_a_writer_waits_for_them_all() {
    let mut evs = start();
    evs.extend(read(1, 1));
    evs.extend(read(2, 2));
    evs.push(ev(3, 3, Op::AcquireBegin { o: RW }));
    let w = world(&evs);
    let ob = w.object(RW).expect("declared");
    assert_eq!(ob.readers(), [1, 2]);
    assert_eq!(ob.owner(), None);
    assert_eq!(words(&w, 1), "running, holds config");
    assert_eq!(
        words(&w, 3),
        "waiting to write rwlock config (read by r1, r2)"
    );
    // Two readers: no one holder to point at, but the graph names both.
    assert_eq!(waitfor::waits_for(&w, 3), None);
    let g = graph::graph(&w);
    assert_eq!(g.edges[0].holders, [1, 2]);
    // The last reader to let go hands it to the writer.
    evs.push(ev(4, 1, Op::ReleaseShared { o: RW }));
    assert_eq!(
        waitfor::waits_for(&world(&evs), 3),
        Some(2),
        "one reader left"
    );
    evs.push(ev(5, 2, Op::ReleaseShared { o: RW }));
    evs.push(written(6, 3));
    let w = world(&evs);
    assert_eq!(w.object(RW).and_then(|o| o.owner()), Some(3));
    assert!(w.object(RW).is_some_and(|o| o.readers().is_empty()));
    assert!(check_all(&evs).is_empty(), "{:?}", check_all(&evs));
}

#[test]
fn a_reader_waits_for_the_writer_and_says_so() {
    let mut evs = start();
    evs.push(ev(1, 3, Op::AcquireBegin { o: RW }));
    evs.push(written(1, 3));
    evs.push(ev(2, 1, Op::AcquireSharedBegin { o: RW }));
    let w = world(&evs);
    assert_eq!(words(&w, 1), "waiting to read rwlock config (held by wr)");
    assert_eq!(waitfor::waits_for(&w, 1), Some(3));
    let wk = w.worker(1).expect("r1");
    assert_eq!(wk.blocked_on(), Some(Wait::AcquireShared(RW)));
    assert_eq!(
        describe::brief_state(&w, wk),
        "wants to read rwlock config held by wr"
    );
}

#[test]
fn a_reader_that_asks_to_write_waits_for_itself_for_good() {
    let mut evs = start();
    evs.extend(read(1, 1));
    evs.push(ev(2, 1, Op::AcquireBegin { o: RW }));
    let w = world(&evs);
    assert_eq!(w.deadlock, Some(vec![1]), "an upgrade in place never goes");
}

#[test]
fn the_checker_finds_a_writer_among_readers() {
    let mut evs = start();
    evs.extend(read(1, 1));
    evs.push(ev(2, 3, Op::AcquireBegin { o: RW }));
    evs.push(written(3, 3));
    let v = check_all(&evs);
    assert!(
        v.iter().any(|m| m.contains("written by 3 while 1 read it")),
        "{v:?}"
    );
    // And a reader let in while a writer has it.
    evs.push(ev(4, 1, Op::ReleaseShared { o: RW }));
    evs.extend(read(5, 2));
    let v = check_all(&evs);
    assert!(
        v.iter().any(|m| m.contains("read by 2 while 3 writes it")),
        "{v:?}"
    );
}

#[test]
fn a_rendezvous_holds_nothing_and_its_sender_waits_for_a_receiver() {
    let evs = vec![
        ev(
            0,
            0,
            Op::Object {
                o: 2,
                name: "versions".into(),
                kind: ObjectKind::Rendezvous,
                capacity: None,
            },
        ),
        ev(
            0,
            0,
            Op::Worker {
                name: "main".into(),
                kind: WorkerKind::Main,
                daemon: false,
                parent: None,
                thread: None,
            },
        ),
        ev(0, 0, Op::Start),
        ev(
            1,
            0,
            Op::PutBegin {
                o: 2,
                item: "v2".into(),
            },
        ),
    ];
    let w = world(&evs);
    assert_eq!(
        words(&w, 0),
        "blocked on put to rendezvous versions (no receiver)"
    );
    let ob = w.object(2).expect("declared");
    assert!(ob.kind.is_queue());
    let decl = describe::event(&w, &evs[0]);
    assert_eq!(decl, "new rendezvous channel versions");
    // Two items in hand at once cannot be.
    let mut evs = evs;
    for (t, item) in [(2, "v2"), (3, "v3")] {
        evs.push(ev(
            t,
            0,
            Op::PutEnd {
                ok: true,
                o: 2,
                depth: t - 1,
                item: item.into(),
            },
        ));
        if t == 2 {
            evs.push(ev(
                t,
                0,
                Op::PutBegin {
                    o: 2,
                    item: "v3".into(),
                },
            ));
        }
    }
    let v = check_all(&evs);
    assert!(
        v.iter().any(|m| m.contains("more than its maxsize 1")),
        "{v:?}"
    );
}

#[test]
fn the_last_reader_wakes_the_writer_and_the_writer_wakes_the_readers() {
    let mut evs = start();
    evs.extend(read(1, 1));
    evs.extend(read(2, 2));
    evs.push(ev(3, 3, Op::AcquireBegin { o: RW }));
    evs.push(ev(4, 1, Op::ReleaseShared { o: RW }));
    evs.push(ev(5, 2, Op::ReleaseShared { o: RW }));
    evs.push(written(6, 3));
    // Both readers come back while it writes, and wait for it.
    evs.push(ev(7, 1, Op::AcquireSharedBegin { o: RW }));
    evs.push(ev(7, 2, Op::AcquireSharedBegin { o: RW }));
    evs.push(ev(
        8,
        3,
        Op::Release {
            o: RW,
            depth: None,
            value: None,
        },
    ));
    evs.push(ev(9, 1, Op::AcquireSharedEnd { ok: true, o: RW }));
    evs.push(ev(9, 2, Op::AcquireSharedEnd { ok: true, o: RW }));
    let w = world(&evs);
    let by = |who: u32| w.causes.of(who).next().map(|k| (k.by, k.via));
    assert_eq!(by(3), Some((2, cause::Via::Release)), "the last reader");
    assert_eq!(by(1), Some((3, cause::Via::Release)));
    assert_eq!(by(2), Some((3, cause::Via::Release)));
    assert!(check_all(&evs).is_empty(), "{:?}", check_all(&evs));
}
