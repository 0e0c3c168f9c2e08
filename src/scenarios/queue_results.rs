//! `queue-results`: a thread's function cannot return a value to main, so each worker puts
//! its result into a queue and main takes them out.

use super::kit::{ThreadArgs, join_all};
use super::{Config, Info, Scenario, variant};
use crate::probe::{Item, Queue, Res, Thread, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "queue-results",
        title: "Threads hand results back through a queue",
        lesson: "a thread cannot return a value; it puts its result into a queue for main to get",
        explain: "A function run by a thread has nowhere to return its value to. So each worker \
gets a list of numbers and a shared queue: it squares the numbers one by one (a short sleep \
each, to make the work visible) and puts the squared list into the queue. Main takes one \
result per worker out of the queue.\n\n\
The lists have different lengths, so the workers finish in a different order from the one \
they were started in: results come out of the queue in the order they were put in, not in \
worker order. Each result carries the name of its worker, so main can tell them apart.",
        variants: &[
            variant("join-first", "join, then get").explain(
                "Main joins every worker first (its lane: 'joining'), then gets the results: \
watch the queue panel fill while main waits, then empty all at once.",
            ),
            variant("as-they-come", "get right away").explain(
                "Main calls get() straight away; each get blocks (main's lane waits on the \
queue) until the next result arrives, so main handles each result as soon as it exists: \
the queue hardly fills.",
            ),
        ],
        params: &[],
    },
    main,
};

/// One worker's answer: who computed it, and the squares.
struct Squares {
    by: String,
    values: Vec<i64>,
}

impl Item for Squares {
    fn label(&self) -> String {
        format!("{}: {:?}", self.by, self.values)
    }
}

const DATA: [&[i64]; 4] = [&[1, 2, 3, 4, 5], &[6, 7], &[8, 9, 10], &[11]];

fn main(cfg: &Config) -> Res<()> {
    let q: Queue<Squares> = Queue::new("results", 0);
    let mut workers = Vec::new();
    for (i, list) in DATA.iter().enumerate() {
        let name = format!("job-{i}");
        let worker = Thread::new(name.clone())
            .args(&q)
            .start(move |q| job(name, list, &q))?;
        workers.push(worker);
    }
    if cfg.is("join-first") {
        join_all(&workers)?;
        say(format!("all joined; the queue holds {} results", q.qsize()))?;
    }
    let mut got = Vec::new();
    for _ in 0..DATA.len() {
        let r = q.get()?;
        say(format!("main got {}", r.label()))?;
        got.push(r);
    }
    join_all(&workers)?;
    let all_right = got.len() == DATA.len()
        && got.iter().all(|r| {
            let i: usize = r.by["job-".len()..].parse().expect("names are job-N");
            r.values == DATA[i].iter().map(|x| x * x).collect::<Vec<_>>()
        });
    let order: Vec<_> = got.iter().map(|r| r.label()).collect();
    outcome(
        format!("results arrived in this order: {}", order.join("; ")),
        all_right,
    );
    Ok(())
}

fn job(name: String, list: &[i64], q: &Queue<Squares>) -> Res<()> {
    let mut values = Vec::new();
    for x in list {
        sleep(0.5)?;
        values.push(x * x);
    }
    q.put(Squares { by: name, values })
}
