//! A lost update in your own program: two clerks deposit into one account. Each reads the
//! balance under its lock, notes the deposit in the audit log (under the log's lock), and
//! writes the balance back under the balance's lock again: each step is locked, the
//! read-modify-write as a whole is not. Alice comes at 1 s and Bob at 3 s, so a plain run
//! never overlaps them and always ends well; a clerk slower by two seconds makes one deposit
//! overwrite the other, and the check at the end panics.
//!
//! `cargo run --example clerks` ends well. `threadlanes explore --
//! ./target/debug/examples/clerks` finds the schedule that loses Alice's or Bob's deposit in
//! a few runs (seeded, the clerks' walks pass on a logical clock: no run waits for them),
//! and prints the `trace --replay` command that shows it again.

use std::time::Duration;
use threadlanes::sync::{Arc, Mutex};
use threadlanes::thread;

fn deposit(balance: &Mutex<i64>, audit: &Mutex<Vec<(i64, i64)>>, amount: i64, arrives: u64) {
    thread::sleep(Duration::from_secs(arrives)); // the clerk walks to the counter
    let seen = *balance.lock();
    audit.lock().push((amount, seen)); // noted between the read and the write
    *balance.lock() = seen + amount;
}

fn main() {
    let balance = Arc::new(Mutex::new(0).named("balance"));
    let audit = Arc::new(Mutex::new(Vec::new()).named("audit"));
    let clerks: Vec<_> = [("alice", 100, 1), ("bob", 50, 3)]
        .into_iter()
        .map(|(name, amount, arrives)| {
            let (balance, audit) = (balance.clone(), audit.clone());
            thread::Builder::new()
                .name(name.into())
                .spawn(move || deposit(&balance, &audit, amount, arrives))
                .expect("spawn a clerk")
        })
        .collect();
    for c in clerks {
        c.join().expect("a clerk panicked");
    }
    let balance = *balance.lock();
    println!("balance {balance}");
    assert_eq!(balance, 150, "lost an update: balance {balance}, not 150");
}
