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

/// Where a seeded run stops for its picture: after its first `n` events, or at a virtual
/// time (seconds since the run began).
#[derive(Clone, Copy, Debug)]
pub enum At {
    Events(usize),
    Secs(f64),
}

/// A seeded run of `scenario` (version `variant`, parameters `sets` as `NAME=VALUE`) as the
/// screencast recorder plays it: the product's own App, detached, fed the run's events up
/// to `at` with its clock moved there, in the plain theme, captions off (as `run` opens).
/// Seeded events and their times are the same on every run; the pids are not, so each is
/// replaced by a stand-in of five digits (10000 for this process, 10000 + the worker id for
/// a child), in the events' pid and in every word the run says; the [`Pids`] met come back
/// with the App, to check a screen shows none of them.
pub fn seeded_at(
    scenario: &str,
    variant: Option<&str>,
    sets: &[&str],
    seed: u64,
    at: At,
) -> (App, Pids) {
    use threadlanes::record::Reader;
    use threadlanes::runner::Mode;
    child_exe();
    let args = RunArgs {
        run: ScenarioArgs {
            scenario: scenario.into(),
            variant: variant.map(str::to_string),
            sets: sets.iter().map(|s| s.to_string()).collect(),
            seed: Some(seed),
            speed: 1.0,
        },
        step: false,
        headless: false,
        json: false,
        for_secs: None,
    };
    let mut plan = plan(&args).expect("a valid plan");
    plan.options.mode = Mode::Seeded;
    let mut source_plan = plan.clone();
    // As the recorder runs it: the seed fixes the events and their virtual times whatever
    // the speed, so the run goes as fast as it can.
    source_plan.options.speed = 1000.0;
    let mut reader = Reader::start(&source_plan);
    let mut app = App::detached(plan);
    app.use_theme(threadlanes::ui::Theme::plain());
    app.view.captions = false;
    let mut pids = Pids::default();
    let (mut n, mut clock) = (0usize, 0u64);
    let limit = match at {
        At::Secs(s) => Some((s * 1e9) as u64),
        At::Events(_) => None,
    };
    loop {
        if matches!(at, At::Events(k) if n >= k) {
            break;
        }
        let Some(ev) = reader.peek(limit) else {
            app.source_ended();
            break;
        };
        if limit.is_some_and(|l| ev.t > l) {
            break;
        }
        let ev = reader.next(limit).expect("the event peeked");
        clock = clock.max(ev.t);
        app.feed(pids.mask(ev));
        n += 1;
    }
    app.clock_to(limit.unwrap_or(clock));
    (app, pids)
}

/// Children of a run are this package's binary re-run: the test harness has no child mode.
fn child_exe() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: set once, before any run of this test binary starts a child, to the same
        // value by whichever test comes first; nothing reads it concurrently with the write
        // but the runs that wait for this `Once`.
        unsafe { std::env::set_var("THREADLANES_EXE", env!("CARGO_BIN_EXE_threadlanes")) };
    });
}

/// Real pids and their stand-ins.
#[derive(Default)]
pub struct Pids {
    seen: Vec<(String, String)>,
}

impl Pids {
    /// `ev` with every pid it carries or says replaced by its stand-in.
    pub fn mask(&mut self, ev: threadlanes::event::Event) -> threadlanes::event::Event {
        if self.seen.is_empty() {
            self.stand_in(std::process::id(), 0);
        }
        self.stand_in(ev.pid, ev.w);
        let mut v: serde_json::Value =
            serde_json::from_str(&threadlanes::wire::encode(&ev)).expect("our own JSON");
        self.walk(&mut v, None);
        threadlanes::wire::decode_value(&v).expect("a masked event")
    }

    /// A process's stand-in is named for the worker it first spoke as (10000 + its id):
    /// children run free of the seed, so the order they first speak in may vary, but the
    /// worker ids main gives them do not.
    fn stand_in(&mut self, pid: u32, w: u32) {
        let real = pid.to_string();
        if !self.seen.iter().any(|(r, _)| *r == real) {
            let fake = (10_000 + u64::from(w)).to_string();
            self.seen.push((real, fake));
        }
    }

    /// Replaces pids in strings and in fields named for one; other numbers (times) stay.
    fn walk(&self, v: &mut serde_json::Value, key: Option<&str>) {
        use serde_json::Value;
        match v {
            Value::String(s) => *s = self.words(s),
            Value::Number(n) if key.is_some_and(|k| k.contains("pid")) => {
                let real = n.to_string();
                if let Some((_, fake)) = self.seen.iter().find(|(r, _)| *r == real) {
                    *v = Value::Number(fake.parse::<u64>().expect("digits").into());
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.walk(x, None)),
            Value::Object(o) => o.iter_mut().for_each(|(k, x)| self.walk(x, Some(k))),
            _ => {}
        }
    }

    /// `s` with each whole number that is a known pid replaced by its stand-in.
    pub fn words(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut digits = String::new();
        let flush = |digits: &mut String, out: &mut String| {
            match self.seen.iter().find(|(r, _)| r == digits) {
                Some((_, fake)) => out.push_str(fake),
                None => out.push_str(digits),
            }
            digits.clear();
        };
        for c in s.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else {
                flush(&mut digits, &mut out);
                out.push(c);
            }
        }
        flush(&mut digits, &mut out);
        out
    }

    /// The real pids met, to check a screen shows none.
    pub fn real(&self) -> impl Iterator<Item = &str> {
        self.seen.iter().map(|(r, _)| r.as_str())
    }
}
