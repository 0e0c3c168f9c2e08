//! A bank: two ATMs withdraw 800 each from an account of 1000, then three tellers move
//! money between two accounts. Each account's balance is behind a `Mutex`.
//!
//! `cargo run --example bank` checks the balance and withdraws under one lock: one ATM is
//! refused. `cargo run --example bank -- --race` checks under the lock, lets it go, and
//! withdraws later (check-then-act): both ATMs see 1000 and the account is overdrawn. A
//! pause between the check and the act widens the window so it shows on every run.
//!
//! Seen live: `threadlanes trace -- ./target/debug/examples/bank --race`.

use std::time::Duration;
use threadlanes::sync::{Arc, Mutex};
use threadlanes::thread;

struct Account {
    balance: Mutex<i64>,
}

impl Account {
    fn new(name: &'static str, balance: i64) -> Account {
        Account {
            balance: Mutex::new(balance).named(name),
        }
    }
}

/// Checks and withdraws under one hold of the lock.
fn withdraw(acct: &Account, amount: i64) -> bool {
    let mut balance = acct.balance.lock();
    if *balance < amount {
        return false;
    }
    thread::sleep(Duration::from_millis(20));
    *balance -= amount;
    true
}

/// Check-then-act: the balance may change between the check and the withdrawal.
fn withdraw_racy(acct: &Account, amount: i64) -> bool {
    let enough = *acct.balance.lock() >= amount;
    if !enough {
        return false;
    }
    thread::sleep(Duration::from_millis(20));
    *acct.balance.lock() -= amount;
    true
}

/// Moves `amount` holding both locks, always taken in the same order (no deadlock).
fn transfer(from: &Account, to: &Account, first_is_from: bool, amount: i64) {
    let (a, b) = if first_is_from {
        (from, to)
    } else {
        (to, from)
    };
    let mut ga = a.balance.lock();
    let mut gb = b.balance.lock();
    let (f, t) = if first_is_from {
        (&mut ga, &mut gb)
    } else {
        (&mut gb, &mut ga)
    };
    **f -= amount;
    **t += amount;
}

fn main() {
    let race = std::env::args().any(|a| a == "--race");
    let alice = Arc::new(Account::new("alice", 1000));
    let bob = Arc::new(Account::new("bob", 1000));

    let atms: Vec<_> = (1..=2)
        .map(|i| {
            let alice = alice.clone();
            thread::Builder::new()
                .name(format!("atm-{i}"))
                .spawn(move || {
                    if race {
                        withdraw_racy(&alice, 800)
                    } else {
                        withdraw(&alice, 800)
                    }
                })
                .expect("spawn an ATM")
        })
        .collect();
    let paid = atms
        .into_iter()
        .map(|h| h.join().expect("an ATM panicked"))
        .filter(|ok| *ok)
        .count();
    let left = *alice.balance.lock();
    println!("withdrawals paid: {paid} of 2; alice has {left}");
    if left < 0 {
        println!("overdrawn: both ATMs checked the balance before either withdrew");
    }

    let tellers: Vec<_> = (1..=3)
        .map(|i| {
            let (alice, bob) = (alice.clone(), bob.clone());
            thread::Builder::new()
                .name(format!("teller-{i}"))
                .spawn(move || {
                    for k in 0..20 {
                        let to_bob = (i + k) % 2 == 0;
                        let (from, to) = if to_bob {
                            (&alice, &bob)
                        } else {
                            (&bob, &alice)
                        };
                        transfer(from, to, to_bob, 10 + k);
                        thread::sleep(Duration::from_millis(1));
                    }
                })
                .expect("spawn a teller")
        })
        .collect();
    for t in tellers {
        t.join().expect("a teller panicked");
    }
    let (a, b) = (*alice.balance.lock(), *bob.balance.lock());
    println!("after 60 transfers: alice {a}, bob {b}, total {}", a + b);
    if left < 0 {
        // An audit that finds the books wrong fails, as a script's check would: traced,
        // the main lane ends with this status.
        std::process::exit(1);
    }
}
