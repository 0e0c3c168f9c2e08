//! Checking a command's arguments against the catalogue, into a `Plan` a run starts from.
//! Every mistake is an `ArgsError` saying what was wrong and what is valid; nothing here
//! starts a run.

use super::error::MAX_FOR_SECS;
use super::{ArgsError, ExploreArgs, ExportArgs, RecordArgs, RunArgs, ScenarioArgs, TraceArgs};
use crate::runner::{Mode, Options};
use crate::scenarios::{self, Config, Scenario};
use crate::source::traced::{ScheduleError, Strategy};

/// The fastest virtual time where someone watches (the TUI, a recording)...
const WATCHED_MAX_SPEED: f64 = 10.0;
/// ...and where nobody does (headless, export).
const UNWATCHED_MAX_SPEED: f64 = 1000.0;

/// Checks a `run`'s arguments against the catalogue; the error says what is valid.
pub fn plan(args: &RunArgs) -> Result<Plan, ArgsError> {
    let scenario = args.run.find()?;
    let max = if args.headless {
        UNWATCHED_MAX_SPEED
    } else {
        WATCHED_MAX_SPEED
    };
    speed_within(args.run.speed, max)?;
    positive_secs(args.for_secs)?;
    if args.step && args.headless {
        return Err(ArgsError::StepHeadless);
    }
    args.run.plan(scenario, args.step)
}

impl RecordArgs {
    /// The same checks as `run` (scenario, variant, parameters, speed 0.1..=10, seed).
    pub fn plan(&self) -> Result<Plan, ArgsError> {
        positive_secs(self.for_secs)?;
        let scenario = self.run.find()?;
        speed_within(self.run.speed, WATCHED_MAX_SPEED)?;
        self.run.plan(scenario, false)
    }
}

impl ExportArgs {
    /// The same checks as `run --headless` (speed up to 1000).
    pub fn plan(&self) -> Result<Plan, ArgsError> {
        let scenario = self.run.find()?;
        speed_within(self.run.speed, UNWATCHED_MAX_SPEED)?;
        positive_secs(self.for_secs)?;
        self.run.plan(scenario, false)
    }
}

impl TraceArgs {
    /// `--speed` within 0.1 to 100.
    pub fn check(&self) -> Result<(), ArgsError> {
        speed_within(self.speed, 100.0)
    }

    /// How the program's threads are scheduled: `--step`, `--seed`, `--replay`.
    pub fn gating(&self) -> Result<Gating, ArgsError> {
        let strategy = match (&self.replay, self.seed) {
            (Some(s), _) => Some(Strategy::Replay(
                s.parse()
                    .map_err(|e: ScheduleError| ArgsError::Schedule(e.to_string()))?,
            )),
            (None, Some(seed)) => Some(Strategy::Random(seed)),
            (None, None) => None,
        };
        let mode = match (self.step, &strategy) {
            (true, _) => Mode::Step,
            (false, Some(_)) => Mode::Seeded,
            (false, None) => Mode::Free,
        };
        Ok(Gating { mode, strategy })
    }
}

impl ExploreArgs {
    /// `--runs` at least 1, `--time` positive.
    pub fn check(&self) -> Result<(), ArgsError> {
        if self.runs == 0 {
            return Err(ArgsError::Runs(self.runs));
        }
        match self.time {
            Some(t) if !(t.is_finite() && t > 0.0 && t <= MAX_FOR_SECS) => Err(ArgsError::Time(t)),
            _ => Ok(()),
        }
    }
}

/// How a traced program's threads are scheduled: free, stepped by the user (following a
/// schedule, if given), or seeded.
#[derive(Clone, Debug)]
pub struct Gating {
    pub mode: Mode,
    pub strategy: Option<Strategy>,
}

/// `--size COLSxROWS`: each from 1 to 1000.
pub fn parse_size(s: &str) -> Result<(u16, u16), ArgsError> {
    let bad = || ArgsError::SizeSyntax(s.to_string());
    let (c, r) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let c: u16 = c.trim().parse().map_err(|_| bad())?;
    let r: u16 = r.trim().parse().map_err(|_| bad())?;
    if !(1..=1000).contains(&c) || !(1..=1000).contains(&r) {
        return Err(ArgsError::SizeRange(s.to_string()));
    }
    Ok((c, r))
}

fn speed_within(speed: f64, max: f64) -> Result<(), ArgsError> {
    if speed.is_finite() && (0.1..=max).contains(&speed) {
        Ok(())
    } else {
        Err(ArgsError::Speed { speed, max })
    }
}

fn positive_secs(secs: Option<f64>) -> Result<(), ArgsError> {
    match secs {
        Some(s) if !(s.is_finite() && s > 0.0 && s <= MAX_FOR_SECS) => Err(ArgsError::For(s)),
        _ => Ok(()),
    }
}

/// A validated request to run a scenario.
#[derive(Clone)]
pub struct Plan {
    pub scenario: &'static Scenario,
    pub config: Config,
    pub options: Options,
}

impl ScenarioArgs {
    fn find(&self) -> Result<&'static Scenario, ArgsError> {
        scenarios::find(&self.scenario).ok_or_else(|| ArgsError::UnknownScenario {
            name: self.scenario.clone(),
            valid: scenarios::names().join(", "),
        })
    }

    /// The variant and parameters checked against `scenario`; the mode from `step` and the
    /// seed.
    fn plan(&self, scenario: &'static Scenario, step: bool) -> Result<Plan, ArgsError> {
        let mut config = Config::default_for(&scenario.info);
        if let Some(v) = &self.variant {
            config.variant = variant(scenario, v)?;
        }
        for s in &self.sets {
            set_param(scenario, &mut config, s)?;
        }
        Ok(Plan {
            scenario,
            config,
            options: Options {
                speed: self.speed,
                paused: false,
                seed: self.seed.unwrap_or_else(fresh_seed),
                mode: if step {
                    Mode::Step
                } else if self.seed.is_some() {
                    Mode::Seeded
                } else {
                    Mode::Free
                },
            },
        })
    }
}

fn variant(scenario: &Scenario, v: &str) -> Result<&'static str, ArgsError> {
    let info = &scenario.info;
    if let Some(x) = info.variants.iter().find(|x| x.name == v) {
        return Ok(x.name);
    }
    let got = v.to_string();
    if info.variants.is_empty() {
        return Err(ArgsError::NoVariants {
            scenario: info.name,
            got,
        });
    }
    let names: Vec<_> = info.variants.iter().map(|x| x.name).collect();
    Err(ArgsError::UnknownVariant {
        got,
        scenario: info.name,
        valid: names.join(", "),
    })
}

fn set_param(scenario: &Scenario, config: &mut Config, s: &str) -> Result<(), ArgsError> {
    let info = &scenario.info;
    let valid = || {
        let ps: Vec<_> = info
            .params
            .iter()
            .map(|p| format!("{} ({}..={})", p.name, p.min, p.max))
            .collect();
        if ps.is_empty() {
            format!("{} has no parameters", info.name)
        } else {
            format!("valid: {}", ps.join(", "))
        }
    };
    let set = s.to_string();
    let Some((name, value)) = s.split_once('=') else {
        let valid = valid();
        return Err(ArgsError::SetSyntax { set, valid });
    };
    let Some(p) = info.params.iter().find(|p| p.name == name) else {
        let (name, valid) = (name.to_string(), valid());
        return Err(ArgsError::UnknownParam { set, name, valid });
    };
    let Ok(v) = value.trim().parse::<i64>() else {
        let value = value.to_string();
        return Err(ArgsError::NotAWholeNumber { set, value });
    };
    if !(p.min..=p.max).contains(&v) {
        let (name, min, max) = (p.name, p.min, p.max);
        return Err(ArgsError::OutOfRange {
            set,
            name,
            min,
            max,
        });
    }
    if let Some(slot) = config.params.iter_mut().find(|(n, _)| *n == name) {
        slot.1 = v;
    }
    Ok(())
}

/// A seed from the time, for runs where the user did not give one.
pub fn fresh_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    // Keep it short enough to read off the status line and type back.
    (t ^ (t >> 29)) % 100_000
}
