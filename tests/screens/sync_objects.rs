//! A Rust program's `threadlanes::sync` objects on screen: an rwlock's readers holding it
//! together, a writer waiting for them and a reader waiting behind the writer (each lane
//! says which side it wants); a zero-capacity channel as a rendezvous whose sender waits for
//! a receiver. Drawn at 80×24, the size a user's terminal has.

use crate::fixtures::*;
use crate::{Shot, row_with};

fn rwlock_world() -> threadlanes::model::World {
    let lines = [
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(
            0,
            0,
            r#""o":1,"op":"object","name":"config","kind":"rwlock""#,
        ),
        op(
            0,
            0,
            r#""o":2,"op":"object","name":"versions","kind":"rendezvous""#,
        ),
        worker(1, "r1", "thread"),
        worker(2, "r2", "thread"),
        worker(3, "wr", "thread"),
        worker(4, "r3", "thread"),
        worker(5, "tx", "thread"),
        op(10 * MS, 1, r#""op":"start""#),
        op(10 * MS, 2, r#""op":"start""#),
        op(10 * MS, 3, r#""op":"start""#),
        op(10 * MS, 4, r#""op":"start""#),
        op(10 * MS, 5, r#""op":"start""#),
        op(20 * MS, 1, r#""o":1,"op":"acquire_begin","read":true"#),
        op(20 * MS, 1, r#""o":1,"op":"acquire_end","read":true"#),
        op(30 * MS, 2, r#""o":1,"op":"acquire_begin","read":true"#),
        op(30 * MS, 2, r#""o":1,"op":"acquire_end","read":true"#),
        op(40 * MS, 3, r#""o":1,"op":"acquire_begin""#),
        op(50 * MS, 4, r#""o":1,"op":"acquire_begin","read":true"#),
        op(60 * MS, 5, r#""o":2,"op":"put_begin","item":"v2""#),
    ];
    world(&lines.join("\n"))
}

#[test]
fn an_rwlock_shows_its_readers_and_who_waits_to_write_and_to_read() {
    let w = rwlock_world();
    let s = Shot::run(&w, &LOCK).size(80, 24).text();
    assert!(row_with(&s, "rwlock config").contains("read by 2"), "{s}");
    assert!(row_with(&s, "readers:").contains("r1, r2"), "{s}");
    assert!(row_with(&s, "to write:").contains("wr"), "{s}");
    assert!(row_with(&s, "to read:").contains("r3"), "{s}");
    assert!(s.contains("wr   wants to write config"), "{s}");
    assert!(s.contains("r3   wants to read config"), "{s}");
    assert!(s.contains("r1   holds rwlock config"), "{s}");
}

#[test]
fn a_rendezvous_says_its_sender_waits_for_a_receiver() {
    let w = rwlock_world();
    let s = Shot::run(&w, &LOCK).size(80, 24).text();
    assert!(row_with(&s, "rendezvous versions").contains("cap 0"), "{s}");
    assert!(s.contains("tx   put: no receiver"), "{s}");
    assert!(row_with(&s, "blocked on put:").contains("tx"), "{s}");
}
