//! The app driven through its own actions, as the keys do, with no terminal: built from a
//! command line's plan, pumped until what a test waits for holds.

use std::time::{Duration, Instant};
use threadlanes::app::App;
use threadlanes::cli::{RunArgs, ScenarioArgs, plan};

/// `threadlanes run SCENARIO [--variant V] [--step] [--seed N] --speed SPEED`, as an App.
pub fn app(
    scenario: &str,
    variant: Option<&str>,
    step: bool,
    seed: Option<u64>,
    speed: f64,
) -> App {
    let args = RunArgs {
        run: ScenarioArgs {
            scenario: scenario.into(),
            variant: variant.map(str::to_string),
            sets: vec![],
            seed,
            speed,
        },
        step,
        headless: false,
        json: false,
        for_secs: None,
    };
    App::new(Some(plan(&args).expect("a valid plan")))
}

/// Pumps until `done(app)` holds; the run's own gate decides when, this only watches.
pub fn until(app: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    loop {
        app.pump();
        if done(app) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "never: {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}
