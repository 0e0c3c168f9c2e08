//! The command line (DESIGN.md): clap definitions and their validation into a `Plan`.

use crate::runner::{Mode, Options};
use crate::scenarios::{self, Config, Scenario};
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "threadlanes",
    version,
    about = "See threads, locks, semaphores, events and queues at work, live in the terminal.",
    after_help = "With no command, opens the scenario picker. Keys: press ? in the program."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the scenarios: name, title, variants and parameters.
    List,
    /// Run one scenario, in the TUI or (--headless) as a printed event log.
    Run(RunArgs),
    /// Record a screencast: the TUI's frames as an asciicast v2 file (seeded: reproducible).
    Record(RecordArgs),
    /// Export a run as a Chrome Trace Event file for Perfetto or chrome://tracing.
    Export(ExportArgs),
    /// Trace a real Python program live: threadlanes trace -- python3 SCRIPT.py [ARGS]
    Trace(TraceArgs),
}

// ── trace (src/trace) ───────────────────────────────────────────────────────────────

#[derive(clap::Args, Debug, Clone)]
pub struct TraceArgs {
    /// No TUI: print the events and a summary; the program's output passes through and its
    /// exit status is ours. Use this for a program that reads input().
    #[arg(long)]
    pub headless: bool,
    /// With --headless: the events as JSON Lines on stdout; the program's output and the
    /// summary go to stderr.
    #[arg(long, requires = "headless")]
    pub json: bool,
    /// Scale the program's time.sleep calls: --speed 2 makes them take half as long (0.1 to
    /// 100). Nothing else of the program is slowed or sped up.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// The program and its arguments, after --.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

impl TraceArgs {
    pub fn check(&self) -> Result<(), String> {
        if !(self.speed.is_finite() && (0.1..=100.0).contains(&self.speed)) {
            return Err(format!(
                "--speed {} is out of range: use 0.1 to 100",
                self.speed
            ));
        }
        Ok(())
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// The scenario to run (see `threadlanes list`).
    pub scenario: String,
    /// Speed of virtual time: 0.1 to 10 in the TUI, up to 1000 headless.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Start in step mode (the TUI).
    #[arg(long)]
    pub step: bool,
    /// Seeded scheduling: one worker at a time, picked by a PRNG with this seed. The same
    /// seed gives the same sequence of operations on every run.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The scenario's version to run (see `threadlanes list`).
    #[arg(long)]
    pub variant: Option<String>,
    /// Set a parameter: --set NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub sets: Vec<String>,
    /// No TUI: print the events and a summary, exit with the outcome.
    #[arg(long)]
    pub headless: bool,
    /// With --headless: the events as JSON Lines (version 1) on stdout, summary on stderr.
    #[arg(long, requires = "headless")]
    pub json: bool,
    /// With --headless: stop after this many seconds of real time.
    #[arg(long = "for", value_name = "SECONDS", requires = "headless")]
    pub for_secs: Option<f64>,
}

// ── record and export (src/record) ──────────────────────────────────────────────────

#[derive(clap::Args, Debug, Clone)]
pub struct RecordArgs {
    /// The scenario to record (see `threadlanes list`).
    pub scenario: String,
    /// The asciicast v2 file to write.
    #[arg(short, long, value_name = "FILE.cast")]
    pub output: std::path::PathBuf,
    /// The terminal size recorded; below 80x24 the frames say it is too small.
    #[arg(long, default_value = "100x30", value_name = "COLSxROWS")]
    pub size: String,
    /// Length of the recording in seconds (default: until the run ends and the keys are done).
    #[arg(long = "for", value_name = "SECONDS")]
    pub for_secs: Option<f64>,
    /// Speed of virtual time against recording time: 0.1 to 10.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// The seed that schedules the workers; the same seed and keys give the same file.
    /// Without it a fresh seed is picked and printed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The scenario's version to record (see `threadlanes list`).
    #[arg(long)]
    pub variant: Option<String>,
    /// Set a parameter: --set NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub sets: Vec<String>,
    /// Key presses at recording times, e.g. "2s:space 3s:space 5s:s 5.5s:. 6s:."
    #[arg(long, value_name = "SCRIPT")]
    pub keys: Option<String>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    /// The scenario to run (see `threadlanes list`).
    pub scenario: String,
    /// The trace file to write (Chrome Trace Event JSON).
    #[arg(short, long, value_name = "FILE.json")]
    pub output: std::path::PathBuf,
    /// Stop after this many seconds of the run's virtual time (default: when it ends, at most
    /// 600).
    #[arg(long = "for", value_name = "SECONDS")]
    pub for_secs: Option<f64>,
    /// Seeded scheduling: the same seed gives the same trace.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The scenario's version to run.
    #[arg(long)]
    pub variant: Option<String>,
    /// Set a parameter: --set NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub sets: Vec<String>,
    /// Speed of virtual time while exporting: 0.1 to 1000.
    #[arg(long, default_value_t = 200.0)]
    pub speed: f64,
}

impl RecordArgs {
    /// The same checks as `run` (scenario, variant, parameters, speed 0.1..=10, seed).
    pub fn plan(&self) -> Result<Plan, String> {
        if let Some(s) = self.for_secs
            && !(s.is_finite() && s > 0.0)
        {
            return Err(format!("--for {s}: give a positive number of seconds"));
        }
        plan(&RunArgs {
            scenario: self.scenario.clone(),
            speed: self.speed,
            step: false,
            seed: self.seed,
            variant: self.variant.clone(),
            sets: self.sets.clone(),
            headless: false,
            json: false,
            for_secs: None,
        })
    }
}

impl ExportArgs {
    /// The same checks as `run --headless` (speed up to 1000).
    pub fn plan(&self) -> Result<Plan, String> {
        plan(&RunArgs {
            scenario: self.scenario.clone(),
            speed: self.speed,
            step: false,
            seed: self.seed,
            variant: self.variant.clone(),
            sets: self.sets.clone(),
            headless: true,
            json: false,
            for_secs: self.for_secs,
        })
    }
}

/// `--size COLSxROWS`: each from 1 to 1000.
pub fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let bad = || format!("--size {s}: expected COLSxROWS, e.g. 100x30");
    let (c, r) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let c: u16 = c.trim().parse().map_err(|_| bad())?;
    let r: u16 = r.trim().parse().map_err(|_| bad())?;
    if !(1..=1000).contains(&c) || !(1..=1000).contains(&r) {
        return Err(format!(
            "--size {s}: columns and rows go from 1 to 1000 (the screen needs 80x24)"
        ));
    }
    Ok((c, r))
}

/// A validated request to run a scenario.
#[derive(Clone)]
pub struct Plan {
    pub scenario: &'static Scenario,
    pub config: Config,
    pub options: Options,
}

/// Checks a `run`'s arguments against the catalogue; the error says what is valid.
pub fn plan(args: &RunArgs) -> Result<Plan, String> {
    let scenario = scenarios::find(&args.scenario).ok_or_else(|| {
        format!(
            "unknown scenario \"{}\"; valid scenarios: {}",
            args.scenario,
            scenarios::names().join(", ")
        )
    })?;
    let max = if args.headless { 1000.0 } else { 10.0 };
    if !(args.speed.is_finite() && (0.1..=max).contains(&args.speed)) {
        return Err(format!(
            "--speed {} is out of range: use 0.1 to {max}",
            args.speed
        ));
    }
    if let Some(s) = args.for_secs
        && !(s.is_finite() && s > 0.0)
    {
        return Err(format!("--for {s}: give a positive number of seconds"));
    }
    if args.step && args.headless {
        return Err("--step is for the TUI (you choose each step there); headless, use --seed N for a reproducible schedule".into());
    }
    let mut config = Config::default_for(&scenario.info);
    if let Some(v) = &args.variant {
        config.variant = variant(scenario, v)?;
    }
    for s in &args.sets {
        set_param(scenario, &mut config, s)?;
    }
    Ok(Plan {
        scenario,
        config,
        options: Options {
            speed: args.speed,
            paused: false,
            seed: args.seed.unwrap_or_else(fresh_seed),
            mode: if args.step {
                Mode::Step
            } else if args.seed.is_some() {
                Mode::Seeded
            } else {
                Mode::Free
            },
        },
    })
}

fn variant(scenario: &Scenario, v: &str) -> Result<&'static str, String> {
    let info = &scenario.info;
    info.variants
        .iter()
        .find(|x| x.name == v)
        .map(|x| x.name)
        .ok_or_else(|| {
            if info.variants.is_empty() {
                format!("scenario {} has no variants (got --variant {v})", info.name)
            } else {
                let names: Vec<_> = info.variants.iter().map(|x| x.name).collect();
                format!(
                    "unknown variant \"{v}\" for {}; valid: {}",
                    info.name,
                    names.join(", ")
                )
            }
        })
}

fn set_param(scenario: &Scenario, config: &mut Config, s: &str) -> Result<(), String> {
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
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("--set {s}: expected NAME=VALUE; {}", valid()))?;
    let p = info
        .params
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| format!("--set {s}: unknown parameter \"{name}\"; {}", valid()))?;
    let v: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("--set {s}: \"{value}\" is not a whole number"))?;
    if !(p.min..=p.max).contains(&v) {
        return Err(format!(
            "--set {s}: {name} must be between {} and {}",
            p.min, p.max
        ));
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

/// `threadlanes list`: one scenario a line, then its variants and parameters.
pub fn list() -> String {
    let mut out = String::new();
    for s in scenarios::all() {
        let i = &s.info;
        out.push_str(&format!("{:<20} {}\n", i.name, i.title));
        if !i.variants.is_empty() {
            let vs: Vec<_> = i
                .variants
                .iter()
                .map(|v| format!("{} ({})", v.name, v.label))
                .collect();
            out.push_str(&format!("{:<20}   variants: {}\n", "", vs.join(", ")));
        }
        for p in i.params {
            out.push_str(&format!(
                "{:<20}   --set {}={} ({}..={}): {}\n",
                "", p.name, p.default, p.min, p.max, p.help
            ));
        }
    }
    out
}
