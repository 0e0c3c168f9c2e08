//! A deadlock that plain runs almost never hit: two threads take two mutexes in opposite
//! order, with nothing in between. `t1` is usually done before `t2` starts, so `cargo run
//! --example ab_ba` prints `done`; a switch at the wrong moment leaves each holding the
//! lock the other wants, for good.
//!
//! `threadlanes explore -- ./target/debug/examples/ab_ba` finds that schedule and names the
//! cycle (`t1 waits for lock b (held by t2)`); even a run that ends well warns of it from
//! the lock order (`possible deadlock: t1 takes a then b ...`).

use threadlanes::sync::{Arc, Mutex};
use threadlanes::thread;

fn main() {
    let a = Arc::new(Mutex::new(()).named("a"));
    let b = Arc::new(Mutex::new(()).named("b"));
    let forward = {
        let (a, b) = (a.clone(), b.clone());
        thread::Builder::new().name("t1".into()).spawn(move || {
            let _a = a.lock();
            let _b = b.lock();
        })
    };
    let backward = thread::Builder::new().name("t2".into()).spawn(move || {
        let _b = b.lock();
        let _a = a.lock();
    });
    for t in [forward, backward] {
        t.expect("spawn a thread").join().expect("no panic");
    }
    println!("done");
}
