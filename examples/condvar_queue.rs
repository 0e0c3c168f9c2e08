//! A bounded queue built by hand from a `Mutex` and two `Condvar`s, as a textbook does:
//! producers wait while it is full, consumers while it is empty, and each side wakes the
//! other. Two producers put ten jobs each; two consumers take them until told to stop.
//!
//! `cargo run --example condvar_queue`; live:
//! `threadlanes trace -- ./target/debug/examples/condvar_queue`.

use std::collections::VecDeque;
use std::time::Duration;
use threadlanes::sync::{Arc, Condvar, Mutex};
use threadlanes::thread;

/// At most `cap` items; `None` in the queue tells a consumer to stop.
struct BlockingQueue<T> {
    items: Mutex<VecDeque<Option<T>>>,
    not_empty: Condvar,
    not_full: Condvar,
    cap: usize,
}

impl<T> BlockingQueue<T> {
    fn new(cap: usize) -> BlockingQueue<T> {
        BlockingQueue {
            items: Mutex::new(VecDeque::new()).named("queue"),
            not_empty: Condvar::new().named("not_empty"),
            not_full: Condvar::new().named("not_full"),
            cap,
        }
    }

    fn put(&self, item: Option<T>) {
        let mut items = self.items.lock();
        self.not_full
            .wait_while(&mut items, |q| q.len() >= self.cap);
        items.push_back(item);
        self.not_empty.notify_one();
    }

    fn get(&self) -> Option<T> {
        let mut items = self.items.lock();
        self.not_empty.wait_while(&mut items, |q| q.is_empty());
        let item = items.pop_front().expect("not empty");
        self.not_full.notify_one();
        item
    }
}

fn main() {
    let q = Arc::new(BlockingQueue::new(3));
    let producers: Vec<_> = (1..=2u64)
        .map(|p| {
            let q = q.clone();
            thread::Builder::new()
                .name(format!("producer-{p}"))
                .spawn(move || {
                    for k in 1..=10 {
                        q.put(Some(p * 100 + k));
                        thread::sleep(Duration::from_millis(2));
                    }
                })
                .expect("spawn a producer")
        })
        .collect();
    let consumers: Vec<_> = (1..=2)
        .map(|c| {
            let q = q.clone();
            thread::Builder::new()
                .name(format!("consumer-{c}"))
                .spawn(move || {
                    let (mut n, mut sum) = (0, 0);
                    while let Some(job) = q.get() {
                        thread::sleep(Duration::from_millis(3));
                        n += 1;
                        sum += job;
                    }
                    (n, sum)
                })
                .expect("spawn a consumer")
        })
        .collect();
    for p in producers {
        p.join().expect("a producer panicked");
    }
    for _ in &consumers {
        q.put(None);
    }
    let (mut n, mut sum) = (0, 0);
    for c in consumers {
        let (k, s) = c.join().expect("a consumer panicked");
        n += k;
        sum += s;
    }
    println!("consumed {n} jobs, sum {sum}");
}
