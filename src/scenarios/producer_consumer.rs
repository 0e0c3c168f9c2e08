//! `producer-consumer`: materials → producers → products (bounded) → consumers, with
//! `task_done` and `join` telling main when everything is through.

use super::kit::{Counter, ThreadArgs};
use super::{Config, Info, Scenario, param};
use crate::probe::{Queue, Res, Thread, current_name, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "producer-consumer",
        title: "Producers and consumers meet at a queue",
        lesson: "put blocks when the queue is full, get when it is empty; task_done and join say when all is through",
        explain: "Main fills a queue of materials. Producers take a material, work on it for a \
second and put a product into a second queue that holds at most a few items. Consumers take \
products and use each one for longer than it took to make it.\n\n\
So the products queue fills up: watch its gauge reach its maxsize and the producers' lanes \
turn to blocked (▒), the queue full, until a consumer makes room. Each get is followed by \
task_done(); main calls join() on both queues, which returns only when every item put has \
been marked done.\n\n\
Consumers are daemon threads looping forever, as in the tutorial: when main ends they are \
killed. Producers use get_nowait() rather than checking qsize() first: between a check and \
the get, another producer could take the last material.",
        variants: &[],
        params: &[
            param("producers", "producer threads", 3, 1, 20),
            param("consumers", "consumer threads", 2, 1, 20),
            param("items", "materials to turn into products", 10, 1, 200),
            param("maxsize", "room in the products queue", 3, 1, 50),
        ],
    },
    main,
};

fn main(cfg: &Config) -> Res<()> {
    let materials: Queue<String> = Queue::new("materials", 0);
    let products: Queue<String> = Queue::new("products", cfg.get("maxsize") as u64);
    let consumed = Counter::default();
    let items = cfg.get("items");
    for i in 0..items {
        materials.put(format!("m{i}"))?;
    }
    let mut producers = Vec::new();
    for i in 1..=cfg.get("producers") {
        let producer = Thread::new(format!("producer-{i}"))
            .args((&materials, &products))
            .start(|(m, p)| produce(&m, &p))?;
        producers.push(producer);
    }
    for i in 1..=cfg.get("consumers") {
        Thread::new(format!("consumer-{i}"))
            .daemon(true)
            .args((&products, &consumed))
            .start(|(p, c)| consume(&p, &c))?;
    }
    materials.join()?;
    say("all materials taken; waiting for every product to be used")?;
    products.join()?;
    let used = consumed.get();
    say(format!("all {used} products used"))?;
    outcome(
        format!("{items} materials became {used} products, all consumed"),
        used == items,
    );
    Ok(())
}

fn produce(materials: &Queue<String>, products: &Queue<String>) -> Res<()> {
    while let Some(m) = materials.get_nowait()? {
        sleep(1.0)?;
        products.put(format!("p{}", &m[1..]))?;
        materials.task_done()?;
        say(format!(
            "{} made p{}, products holds {}",
            current_name(),
            &m[1..],
            products.qsize()
        ))?;
    }
    Ok(())
}

fn consume(products: &Queue<String>, consumed: &Counter) -> Res<()> {
    loop {
        let p = products.get()?;
        sleep(2.0)?;
        consumed.inc();
        products.task_done()?;
        say(format!("{} used {p}", current_name()))?;
    }
}
