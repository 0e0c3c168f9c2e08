//! `traffic-light`: an Event as a light. The lighter sets it (green) and clears it (red);
//! cars drive while it is set and wait on it while it is clear.

use super::kit::{Counter, ThreadArgs};
use super::{Config, Info, Scenario, param};
use crate::probe::{Event, Res, Thread, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "traffic-light",
        title: "An Event is a traffic light",
        lesson: "cars wait on red (event cleared) and all go at once on green (event set)",
        explain: "An Event is a flag threads can wait for. One thread, the lighter, switches it: \
set means green, clear means red. Two cars loop: on green they drive a block; on red they call \
wait() and sleep until the flag is set again.\n\n\
Watch the light in the objects panel turn red and the car lanes change to waiting (░) on the \
light, then both wake together when it turns green: set() wakes every waiter, not just one.\n\n\
The cars are daemon threads: when the lighter has done its cycles and main ends, they are \
killed, not finished.",
        variants: &[],
        params: &[
            param("cycles", "green/red cycles of the light", 2, 1, 20),
            param("cars", "cars on the road", 2, 1, 10),
        ],
    },
    main,
};

const GREEN_SECS: u32 = 4;
const RED_SECS: u32 = 3;

fn main(cfg: &Config) -> Res<()> {
    let light = Event::new("light");
    let stops = Counter::default();
    let cycles = cfg.get("cycles");
    let lighter = Thread::new("lighter")
        .args(&light)
        .start(move |light| lighter(&light, cycles))?;
    for i in 1..=cfg.get("cars") {
        Thread::new(format!("car-{i}"))
            .daemon(true)
            .args((&light, &stops))
            .start(move |(light, stops)| car(&format!("car-{i}"), &light, &stops))?;
    }
    lighter.join()?;
    outcome(
        format!(
            "{cycles} light cycles; cars stopped at red {} times and never drove on red",
            stops.get()
        ),
        true,
    );
    Ok(())
}

fn lighter(light: &Event, cycles: i64) -> Res<()> {
    for _ in 0..cycles {
        light.set()?;
        say("green light")?;
        for _ in 0..GREEN_SECS {
            sleep(1.0)?;
        }
        light.clear()?;
        say("red light")?;
        for _ in 0..RED_SECS {
            sleep(1.0)?;
        }
    }
    light.set()?;
    say("green light, and the lighter goes home")
}

fn car(name: &str, light: &Event, stops: &Counter) -> Res<()> {
    loop {
        if light.is_set() {
            say(format!("{name} drives"))?;
            sleep(1.0)?;
        } else {
            stops.inc();
            say(format!("{name} sees red and waits"))?;
            light.wait()?;
            say(format!("{name} goes on green"))?;
        }
    }
}
