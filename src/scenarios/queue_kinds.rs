//! `queue-kinds`: the same items put into a FIFO, a LIFO and a priority queue, taken out by
//! one getter per queue: three orders side by side.

use super::kit::{Shared, ThreadArgs, join_all, spaced};
use super::{Config, Info, Scenario, param};
use crate::probe::{Queue, Res, Thread, outcome, say, sleep};
use parking_lot::Mutex;

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "queue-kinds",
        title: "FIFO, LIFO and priority queues",
        lesson: "the same items come out first-in-first-out, last-in-first-out, or by priority",
        explain: "Python's queue module has three queues with one interface: Queue (first in, \
first out), LifoQueue (last in, first out: a stack) and PriorityQueue (the lowest priority \
number first; items are (priority, data) tuples).\n\n\
Main puts the items 1, 2, 3, ... into all three, in that order; into the priority queue each \
goes with a priority number. Then one getter thread per queue takes the items out, one every \
half second. Watch the three queue panels shrink side by side: the FIFO gives back the order \
they went in, the LIFO the reverse, and the priority queue sorts by the first number of each \
tuple, whatever the order they were put in.",
        variants: &[],
        params: &[param("items", "items put into each queue", 5, 2, 9)],
    },
    main,
};

/// The priority given to item i+1: a shuffle, so priority order differs from put order.
const PRIORITIES: [i64; 9] = [4, 2, 5, 1, 3, 9, 7, 6, 8];

type Got = Shared<Vec<i64>>;

fn main(cfg: &Config) -> Res<()> {
    let n = cfg.get("items") as usize;
    let fifo: Queue<i64> = Queue::new("fifo", 0);
    let lifo: Queue<i64> = Queue::lifo("lifo", 0);
    let prio: Queue<(i64, i64)> = Queue::priority("priority", 0);
    let items: Vec<i64> = (1..=n as i64).collect();
    for &x in &items {
        fifo.put(x)?;
        lifo.put(x)?;
        prio.put((PRIORITIES[x as usize - 1], x))?;
        sleep(0.2)?;
    }
    say("all items put; the getters start")?;
    let got: [Got; 3] = Default::default();
    let getters = [
        Thread::new("fifo-getter")
            .args((&fifo, &got[0]))
            .start(move |(q, g)| drain(n, || q.get(), &g))?,
        Thread::new("lifo-getter")
            .args((&lifo, &got[1]))
            .start(move |(q, g)| drain(n, || q.get(), &g))?,
        Thread::new("priority-getter")
            .args((&prio, &got[2]))
            .start(move |(q, g)| drain(n, || q.get().map(|p| p.1), &g))?,
    ];
    join_all(&getters)?;
    // What each kind's rule says, worked out here from the rule itself.
    let want_lifo: Vec<i64> = items.iter().rev().copied().collect();
    let mut want_prio = items.clone();
    want_prio.sort_by_key(|&x| PRIORITIES[x as usize - 1]);
    let wants = [&items, &want_lifo, &want_prio];
    let got: Vec<Vec<i64>> = got.iter().map(|g| g.lock().clone()).collect();
    let ok = got.iter().zip(wants).all(|(g, w)| g == w);
    outcome(
        format!(
            "FIFO gave {}; LIFO gave {}; priority gave {} (lowest priority number first)",
            spaced(&got[0]),
            spaced(&got[1]),
            spaced(&got[2])
        ),
        ok,
    );
    Ok(())
}

fn drain(n: usize, mut get: impl FnMut() -> Res<i64>, got: &Mutex<Vec<i64>>) -> Res<()> {
    for _ in 0..n {
        let x = get()?;
        got.lock().push(x);
        say(format!("got {x}"))?;
        sleep(0.5)?;
    }
    Ok(())
}
