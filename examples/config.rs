//! A configuration read by many and written by one: three workers read it under an
//! `RwLock` together (a barrier makes sure they hold it at once), while an updater waits
//! to write until every reader has let go; readers that come while the writer waits queue
//! behind it (parking_lot's lock is fair). The handover of each new version to a logger
//! goes through a zero-capacity channel: a rendezvous, where the sender waits for the
//! receiver.
//!
//! `cargo run --example config`; live: `threadlanes trace -- ./target/debug/examples/config`.

use std::time::Duration;
use threadlanes::sync::channel;
use threadlanes::sync::{Arc, Barrier, RwLock};
use threadlanes::thread;

#[derive(Debug)]
struct Config {
    version: u32,
    workers: u32,
}

fn main() {
    let config = Arc::new(
        RwLock::new(Config {
            version: 1,
            workers: 4,
        })
        .named("config"),
    );
    // The three readers, and the updater: all past it means all three read now.
    let all_reading = Arc::new(Barrier::new(4).named("all reading"));
    let (versions_tx, versions) = channel::bounded_named(0, "versions");

    let mut threads = Vec::new();
    for i in 1..=3 {
        let (config, all_reading) = (config.clone(), all_reading.clone());
        let reader = thread::Builder::new()
            .name(format!("reader-{i}"))
            .spawn(move || {
                let seen = config.read();
                all_reading.wait();
                thread::sleep(Duration::from_millis(60));
                let v = seen.version;
                drop(seen);
                thread::sleep(Duration::from_millis(40));
                let again = config.read().version;
                (v, again)
            })
            .expect("spawn a reader");
        threads.push(reader);
    }
    let updater = {
        let config = config.clone();
        thread::Builder::new()
            .name("updater".into())
            .spawn(move || {
                all_reading.wait();
                let mut c = config.write();
                c.version += 1;
                c.workers *= 2;
                // Saving it takes a while, the lock held: readers back meanwhile wait.
                thread::sleep(Duration::from_millis(80));
                let v = c.version;
                drop(c);
                versions_tx.send(v).expect("the logger is there");
            })
            .expect("spawn the updater")
    };
    let logger = thread::Builder::new()
        .name("logger".into())
        .spawn(move || versions.iter().collect::<Vec<u32>>())
        .expect("spawn the logger");

    for (i, t) in threads.into_iter().enumerate() {
        let (first, second) = t.join().expect("a reader panicked");
        println!("reader-{} read version {first}, then {second}", i + 1);
    }
    updater.join().expect("the updater panicked");
    let logged = logger.join().expect("the logger panicked");
    println!("logged versions {logged:?}; now {:?}", *config.read());
}
