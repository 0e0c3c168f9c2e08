//! A lost update: two threads each add to a balance in two locked steps, a read and a
//! write. Each step holds the lock, yet a switch between the two loses the other thread's
//! update: the lock guards each step, not the read-modify-write as a whole.
//!
//! `cargo run --example lost_update` prints less than 22 on most runs, a different figure
//! each time. Stepped, you choose who goes next and the result is yours:
//! `threadlanes trace --step -- ./target/debug/examples/lost_update`; let each thread run
//! whole and it is 22; let t1 read, then t2 read, then both write, and it comes out short.

use std::time::Duration;
use threadlanes::sync::{Arc, Mutex};
use threadlanes::thread;

fn deposit(balance: &Mutex<i64>, n: i64) {
    for _ in 0..2 {
        thread::sleep(Duration::from_millis(1)); // a switch here is harmless
        let seen = *balance.lock();
        thread::sleep(Duration::from_millis(1)); // a switch here loses an update
        *balance.lock() = seen + n;
    }
}

fn main() {
    let balance = Arc::new(Mutex::new(0).named("balance"));
    let mut threads = Vec::new();
    for (name, n) in [("t1", 1), ("t2", 10)] {
        let balance = balance.clone();
        let t = thread::Builder::new()
            .name(name.into())
            .spawn(move || deposit(&balance, n))
            .expect("spawn a depositor");
        threads.push(t);
    }
    for t in threads {
        t.join().expect("a depositor panicked");
    }
    println!("balance {} (22 if no update was lost)", *balance.lock());
}
