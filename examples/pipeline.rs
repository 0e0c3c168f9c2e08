//! A pipeline: a reader makes numbers, a squarer squares them, a summer adds them up; each
//! stage is a thread, joined to the next by a bounded channel of two. A stage faster than
//! the next waits for room: the channels' depth never passes their capacity.
//!
//! `cargo run --example pipeline`; live: `threadlanes trace -- ./target/debug/examples/pipeline`.

use std::time::Duration;
use threadlanes::sync::channel;
use threadlanes::thread;

fn main() {
    let (numbers_tx, numbers) = channel::bounded_named(2, "numbers");
    let (squares_tx, squares) = channel::bounded_named(2, "squares");
    let numbers_tx = numbers_tx.show_items();
    let squares_tx = squares_tx.show_items();

    let reader = thread::Builder::new()
        .name("reader".into())
        .spawn(move || {
            for n in 1..=12u64 {
                numbers_tx.send(n).expect("the squarer is there");
            }
        })
        .expect("spawn the reader");

    let squarer = thread::Builder::new()
        .name("squarer".into())
        .spawn(move || {
            for n in numbers {
                thread::sleep(Duration::from_millis(3));
                squares_tx.send(n * n).expect("the summer is there");
            }
        })
        .expect("spawn the squarer");

    let summer = thread::Builder::new()
        .name("summer".into())
        .spawn(move || {
            let mut sum = 0;
            for s in &squares {
                thread::sleep(Duration::from_millis(5));
                sum += s;
            }
            sum
        })
        .expect("spawn the summer");

    reader.join().expect("the reader panicked");
    squarer.join().expect("the squarer panicked");
    let sum = summer.join().expect("the summer panicked");
    println!("sum of the squares of 1..=12: {sum}");
}
