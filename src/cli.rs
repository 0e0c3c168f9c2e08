//! The command line (DESIGN.md): its clap definitions here, their checking into a `Plan`
//! in `plan.rs`, what can be wrong in `error.rs`. It parses and checks; it runs nothing.

mod error;
mod plan;

pub use error::ArgsError;
pub use plan::{Gating, Plan, fresh_seed, parse_size, plan};

use crate::scenarios;
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
    /// Trace a real Python program live: threadlanes trace -- python3 SCRIPT.py ARGS...
    Trace(TraceArgs),
    /// Run a program under many schedules until one fails; print how (each run's stdin is
    /// /dev/null): threadlanes explore -- python3 SCRIPT.py ARGS...
    Explore(ExploreArgs),
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
    /// Start in step mode (the TUI): each of the program's threads waits before each traced
    /// operation until you let it (. or →; tab picks the thread).
    #[arg(long, conflicts_with = "headless")]
    pub step: bool,
    /// Seeded scheduling: the program's threads go one at a time, picked by a PRNG with this
    /// seed, and its sleeps pass on a logical clock. The same program, input and seed do the
    /// same sequence of traced operations; the schedule followed is printed at the end.
    #[arg(long, conflicts_with_all = ["step", "replay"])]
    pub seed: Option<u64>,
    /// Follow a schedule printed at the end of a seeded or stepped run, or by explore (with
    /// --step: each . lets through the thread the schedule picks next).
    #[arg(long, value_name = "SCHEDULE")]
    pub replay: Option<String>,
    /// Scale the program's time.sleep calls: --speed 2 makes them take half as long (0.1 to
    /// 100). Nothing else of the program is slowed or sped up.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// The program and its arguments, after --.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

// ── explore (src/explore) ───────────────────────────────────────────────────────────

#[derive(clap::Args, Debug, Clone)]
pub struct ExploreArgs {
    /// Runs to try at most.
    #[arg(long, default_value_t = 500)]
    pub runs: u64,
    /// Stop after this many seconds of real time, failing run or not (default: no limit).
    #[arg(long, value_name = "SECONDS")]
    pub time: Option<f64>,
    /// The first seed; run N uses seed + N, so the same --seed finds the same run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Runs at once (default: the cores there are).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Open the failing run in the TUI, in step mode on its schedule.
    #[arg(long)]
    pub open: bool,
    /// The program and its arguments, after --.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

// ── run, record and export: the arguments they share ────────────────────────────────

/// Which scenario to run, its version and parameters, its seed and speed: the same for
/// `run`, `record` and `export`. The seed's and the speed's help below is `run`'s; `record`
/// and `export` restate them for what they do (`mut_arg` on their structs), and `export`
/// runs faster by default.
#[derive(clap::Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// The scenario to run (see `threadlanes list`).
    pub scenario: String,
    /// The scenario's version to run (see `threadlanes list`).
    #[arg(long)]
    pub variant: Option<String>,
    /// Set a parameter: --set NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub sets: Vec<String>,
    /// Seeded scheduling: one worker at a time, picked by a PRNG with this seed. The same
    /// seed gives the same sequence of operations on every run.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Speed of virtual time: 0.1 to 10 in the TUI, up to 1000 headless.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
}

#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub run: ScenarioArgs,
    /// Start in step mode (the TUI).
    #[arg(long)]
    pub step: bool,
    /// No TUI: print the events and a summary, exit with the outcome.
    #[arg(long)]
    pub headless: bool,
    /// With --headless: the events as JSON Lines (version 1) on stdout, summary on stderr.
    #[arg(long, requires = "headless")]
    pub json: bool,
    /// With --headless: stop after this many seconds of real time (above 0, at most 86400).
    #[arg(long = "for", value_name = "SECONDS", requires = "headless")]
    pub for_secs: Option<f64>,
}

// ── record and export (src/record) ──────────────────────────────────────────────────

#[derive(clap::Args, Debug, Clone)]
#[command(
    mut_arg("scenario", |a| a.help("The scenario to record (see `threadlanes list`)")),
    mut_arg("seed", |a| a.help(
        "The seed that schedules the workers; the same seed and keys give the same file. \
         Without it a fresh seed is picked and printed"
    )),
    mut_arg("speed", |a| a.help("Speed of virtual time against recording time: 0.1 to 10")),
)]
pub struct RecordArgs {
    #[command(flatten)]
    pub run: ScenarioArgs,
    /// The asciicast v2 file to write.
    #[arg(short, long, value_name = "FILE.cast")]
    pub output: std::path::PathBuf,
    /// The terminal size recorded; below 80x24 the frames say it is too small.
    #[arg(long, default_value = "100x30", value_name = "COLSxROWS")]
    pub size: String,
    /// Length of the recording in seconds, at most 86400 (default: until the run ends and the
    /// keys are done, at most 120).
    #[arg(long = "for", value_name = "SECONDS")]
    pub for_secs: Option<f64>,
    /// Key presses at recording times, e.g. "2s:space 3s:space 5s:s 5.5s:. 6s:."
    #[arg(long, value_name = "SCRIPT")]
    pub keys: Option<String>,
}

#[derive(clap::Args, Debug, Clone)]
#[command(
    mut_arg("seed", |a| a.help("Seeded scheduling: the same seed gives the same trace")),
    mut_arg("speed", |a| a
        .help("Speed of virtual time while exporting: 0.1 to 1000")
        .default_value("200")),
)]
pub struct ExportArgs {
    #[command(flatten)]
    pub run: ScenarioArgs,
    /// The trace file to write (Chrome Trace Event JSON).
    #[arg(short, long, value_name = "FILE.json")]
    pub output: std::path::PathBuf,
    /// Stop after this many seconds of the run's virtual time, at most 86400 (default: when it
    /// ends, at most 600).
    #[arg(long = "for", value_name = "SECONDS")]
    pub for_secs: Option<f64>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Command {
        let argv = ["threadlanes"].iter().chain(args);
        Cli::try_parse_from(argv)
            .expect("the arguments parse")
            .command
            .expect("a command")
    }

    #[test]
    fn run_record_and_export_take_the_same_scenario_flags() {
        let flags = [
            "race",
            "--variant",
            "with-lock",
            "--set",
            "rounds=3",
            "--seed",
            "7",
        ];
        let run = |cmd: &[&'static str]| [cmd, &flags].concat();
        let shared = match parse(&run(&["run"])) {
            Command::Run(a) => a.run,
            c => panic!("not run: {c:?}"),
        };
        for cmd in [&["record", "-o", "x.cast"][..], &["export", "-o", "x.json"]] {
            let got = match parse(&run(cmd)) {
                Command::Record(a) => a.run,
                Command::Export(a) => a.run,
                c => panic!("not record or export: {c:?}"),
            };
            assert_eq!(got.variant, shared.variant);
            assert_eq!(got.sets, shared.sets);
            assert_eq!(got.seed, shared.seed);
        }
    }

    #[test]
    fn trace_schedules_by_step_seed_or_replay_and_explore_takes_its_bounds() {
        use crate::runner::Mode;
        let gating = |args: &[&str]| match parse(args) {
            Command::Trace(t) => t.gating().map(|g| g.mode),
            c => panic!("not trace: {c:?}"),
        };
        let py = ["--", "python3", "x.py"];
        assert_eq!(gating(&[&["trace"][..], &py].concat()), Ok(Mode::Free));
        assert_eq!(
            gating(&[&["trace", "--seed", "4"][..], &py].concat()),
            Ok(Mode::Seeded)
        );
        assert_eq!(
            gating(&[&["trace", "--replay", "1x2.2"][..], &py].concat()),
            Ok(Mode::Seeded)
        );
        let guided = [&["trace", "--step", "--replay", "2.1"][..], &py].concat();
        assert_eq!(gating(&guided), Ok(Mode::Step));
        let bad = gating(&[&["trace", "--replay", "1.y"][..], &py].concat());
        assert!(matches!(bad, Err(ArgsError::Schedule(_))), "{bad:?}");
        let argv = [
            "threadlanes",
            "trace",
            "--seed",
            "1",
            "--step",
            "--",
            "python3",
            "x.py",
        ];
        assert!(
            Cli::try_parse_from(argv).is_err(),
            "--seed and --step conflict"
        );
        match parse(&[
            "explore", "--runs", "9", "--time", "3", "--open", "--", "python3", "x.py",
        ]) {
            Command::Explore(e) => {
                assert_eq!((e.runs, e.time, e.open), (9, Some(3.0), true));
                assert_eq!(e.command, ["python3", "x.py"]);
                assert!(e.check().is_ok());
            }
            c => panic!("not explore: {c:?}"),
        }
        match parse(&["explore", "--runs", "0", "--", "python3", "x.py"]) {
            Command::Explore(e) => assert_eq!(e.check(), Err(ArgsError::Runs(0))),
            c => panic!("not explore: {c:?}"),
        }
    }

    #[test]
    fn export_runs_faster_by_default_than_run_and_record() {
        let speed = |args: &[&str]| match parse(args) {
            Command::Run(a) => a.run.speed,
            Command::Record(a) => a.run.speed,
            Command::Export(a) => a.run.speed,
            c => panic!("unexpected {c:?}"),
        };
        assert_eq!(speed(&["run", "race"]), 1.0);
        assert_eq!(speed(&["record", "race", "-o", "x.cast"]), 1.0);
        assert_eq!(speed(&["export", "race", "-o", "x.json"]), 200.0);
    }
}
