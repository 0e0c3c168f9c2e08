//! The binary: parse arguments, make one call into the library, turn errors into messages.

use clap::Parser;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;
use threadlanes::app::App;
use threadlanes::cli::{Cli, Command, plan};
use threadlanes::headless::{self, Headless, Ran};
use threadlanes::runner::Mode;
use threadlanes::scenarios::Info;
use threadlanes::source::traced::{Options, Output, Strategy, TracedSource};
use threadlanes::source::{ScenarioSource, Source};

fn main() -> ExitCode {
    // A child process of a process scenario: this binary re-run with THREADLANES_CHILD set,
    // its role found in the scenario catalogue.
    if let Some(code) =
        threadlanes::process::child::main_if_child(threadlanes::scenarios::child_role)
    {
        return ExitCode::from(code as u8);
    }
    let cli = Cli::parse();
    match cli.command {
        Some(Command::List) => {
            print!("{}", threadlanes::cli::list());
            ExitCode::SUCCESS
        }
        Some(Command::Run(args)) => {
            let plan = match plan(&args) {
                Ok(p) => p,
                Err(e) => return fail(&e.to_string()),
            };
            if args.headless {
                let h = Headless {
                    json: args.json,
                    for_secs: args.for_secs,
                };
                let (main, cfg) = (plan.scenario.main, plan.config.clone());
                let code = headless::run(
                    &mut ScenarioSource::start(move || main(&cfg), plan.options),
                    &Ran::scenario(&plan),
                    &h,
                    &mut std::io::stdout().lock(),
                    &mut std::io::stderr().lock(),
                );
                return ExitCode::from(code as u8);
            }
            tui(Some(plan))
        }
        Some(Command::Record(args)) => done(threadlanes::record::record_cmd(&args)),
        Some(Command::Export(args)) => done(threadlanes::record::export_cmd(&args)),
        Some(Command::Trace(args)) => trace_cmd(&args),
        Some(Command::Explore(args)) => explore(&args),
        None => tui(None),
    }
}

fn tui(plan: Option<threadlanes::cli::Plan>) -> ExitCode {
    if !std::io::stdout().is_terminal() {
        return fail(
            "threadlanes draws a full-screen view and needs a terminal, but stdout is not a terminal.\n\
             To print the events instead: threadlanes run SCENARIO --headless [--json]",
        );
    }
    if std::env::var_os("THREADLANES_TEST_UI_PANIC").is_some_and(|v| v == "1") {
        ui_panic_for_tests();
    }
    exit_on_signal_even_if_stuck();
    match threadlanes::app::terminal::main(plan) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

/// `trace`: headless, or the TUI and then the program's output; its exit status is ours.
fn trace_cmd(args: &threadlanes::cli::TraceArgs) -> ExitCode {
    if let Err(e) = args.check() {
        return fail(&e.to_string());
    }
    if args.headless {
        return trace_headless(args);
    }
    if !std::io::stdout().is_terminal() {
        return fail(
            "threadlanes draws a full-screen view and needs a terminal, but stdout is not a terminal.\n\
             To print the events instead: threadlanes trace --headless [--json] -- python3 SCRIPT.py",
        );
    }
    let gating = match args.gating() {
        Ok(g) => g,
        Err(e) => return fail(&e.to_string()),
    };
    let opts = Options {
        speed: args.speed,
        output: Output::Capture,
        tui: true,
    };
    let source = match TracedSource::start_in(&args.command, &opts, gating.mode, gating.strategy) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    exit_on_signal_even_if_stuck();
    let mut app = App::watching(Box::new(source), about_program(&args.command), args.speed);
    match gating.mode {
        Mode::Step => app = app.stepping(),
        Mode::Seeded => app = app.seeded(args.seed.unwrap_or(0)),
        Mode::Free => {}
    }
    let (argv, seed) = (args.command.clone(), args.seed.unwrap_or(0));
    app = app.replayable(Box::new(move |schedule: Option<String>| {
        let strategy = match schedule.and_then(|s| s.parse().ok()) {
            Some(s) => Strategy::Replay(s),
            None => Strategy::Random(seed),
        };
        let s = TracedSource::start_in(&argv, &opts, Mode::Seeded, Some(strategy)).ok()?;
        Some(Box::new(s) as Box<dyn Source>)
    }));
    // The program was ended if it still ran; how it ended and what it wrote are ours to say.
    let source = match threadlanes::app::terminal::run(app) {
        Ok(app) => app.into_source(),
        Err(e) => return fail(&format!("{e:#}")),
    };
    let (code, (out, err), schedule) = source.map_or((None, Default::default(), None), |s| {
        (s.exit_status(), s.captured(), s.schedule())
    });
    use std::io::Write;
    let _ = std::io::stdout().write_all(&out);
    let _ = std::io::stderr().write_all(&err);
    tell_schedule(schedule, &args.command);
    ExitCode::from(code.unwrap_or(2).clamp(0, 255) as u8)
}

const ABOUT_PROGRAM: &str = "A real program (Python, or Rust with threadlanes::sync), traced \
live: every thread and process is a lane, and its locks, semaphores, events, conditions, \
barriers, queues, channels, pools, pipes and shared values are the objects on the right.\n\nThe \
program runs at its own speed (--speed only scales its sleeps). Space freezes this view while the program goes on; q ends the program \
and every process it started. What it prints is in the log, and is written to the terminal \
when you quit.\n\ns is step mode: each thread waits before each traced operation, its lane says \
what it will do next and where, and . lets the selected one go (trace --step starts that way).";

/// The words the TUI shows about a traced program: what it runs as the title. Made once, for
/// the life of the process.
fn about_program(argv: &[String]) -> &'static Info {
    // A Python script's own docstring first: the lesson its author wrote for it.
    let explain = match script_docstring(argv) {
        Some(doc) => Box::leak(format!("{doc}\n\n{ABOUT_PROGRAM}").into_boxed_str()),
        None => ABOUT_PROGRAM,
    };
    Box::leak(Box::new(Info {
        name: "trace",
        title: Box::leak(program_title(argv).into_boxed_str()),
        lesson: "your own program's threads and processes, live",
        explain,
        variants: &[],
        params: &[],
    }))
}

/// The module docstring of the script a Python command runs, if it has one.
fn script_docstring(argv: &[String]) -> Option<String> {
    let python = threadlanes::trace::runs_python(argv);
    let at = if python { script_at(argv)? } else { 0 };
    let script = argv.get(at).filter(|s| s.ends_with(".py"))?;
    // Not the module of `-m` nor the code of `-c`: only a script's path names a file.
    if at > 0 && matches!(argv[at - 1].as_str(), "-m" | "-c") {
        return None;
    }
    threadlanes::trace::docstring::of_script(std::path::Path::new(script))
}

/// A traced command named for a narrow panel: the script a Python interpreter runs and its
/// arguments (`bank.py --fast` for `python3 -u tests/bank.py --fast`), or the program's own
/// file name (`clerks` for `./target/debug/examples/clerks`); the whole command is in the log.
fn program_title(argv: &[String]) -> String {
    let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    if argv.is_empty() {
        return "program".into();
    }
    let from = if threadlanes::trace::runs_python(argv) {
        script_at(argv)
    } else {
        Some(0)
    };
    match from {
        Some(i) => std::iter::once(base(&argv[i]))
            .chain(argv[i + 1..].iter().cloned())
            .collect::<Vec<_>>()
            .join(" "),
        None => argv.join(" "),
    }
}

/// Where a Python command line names what it runs: past the interpreter's options (`-X dev`
/// and `-W error` take a value), at the module of `-m`, or at the script.
fn script_at(argv: &[String]) -> Option<usize> {
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-X" | "-W" => i += 2,
            "-m" | "-c" => return (i + 1 < argv.len()).then_some(i + 1),
            _ if a.starts_with('-') => i += 1,
            _ => return Some(i),
        }
    }
    None
}

/// Free mode, headless: this thread prints every event (lossless), and may print them more
/// slowly than the program makes them. The trace's reader (started before this, so not
/// affected) keeps what the printer has no room for in its backlog; with this thread at a
/// low priority the reader and the program get the CPU first when they share a core with
/// it, so the program does not wait for its events to be printed, and the printer catches
/// up with what is left. Not the lowest: an unprivileged thread cannot raise its priority
/// back, and the printer's catching up after the program has ended should not crawl on a
/// busy machine. At 10 the reader gets about nine tenths of a core they share (measured:
/// the program's wall time within 1.1–1.35× its CPU time, as at 19; 1.5–1.9× at 5).
const PRINTER_NICE: libc::c_int = 10;

fn yield_to_the_reader() {
    // SAFETY: setpriority on this thread (Linux: a thread id names one thread).
    unsafe {
        let me = libc::gettid() as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, me, PRINTER_NICE);
    }
}

/// `trace --headless`: the program's output passes through (to stderr with `--json`, so
/// stdout carries only events); its exit status is ours (2 when it could not start).
fn trace_headless(args: &threadlanes::cli::TraceArgs) -> ExitCode {
    let opts = Options {
        speed: args.speed,
        output: if args.json {
            Output::ToStderr
        } else {
            Output::Inherit
        },
        tui: false,
    };
    let gating = match args.gating() {
        Ok(g) => g,
        Err(e) => return fail(&e.to_string()),
    };
    let mut source =
        match TracedSource::start_in(&args.command, &opts, gating.mode, gating.strategy) {
            Ok(s) => s,
            Err(e) => return fail(&e.to_string()),
        };
    if gating.mode == Mode::Free {
        yield_to_the_reader();
    }
    let h = Headless {
        json: args.json,
        for_secs: None,
    };
    let code = headless::run(
        &mut source,
        &Ran::program(&args.command),
        &h,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    let waiting = source.waiting();
    if !waiting.is_empty() {
        eprintln!("threadlanes: at the end, {}", waiting.join("; "));
    }
    if source.misfits() > 0 {
        eprintln!(
            "threadlanes: {} picks of the schedule did not fit this run (the program's traced \
             operations are no longer the same); the lowest thread that could go went instead",
            source.misfits()
        );
    }
    tell_schedule(source.schedule(), &args.command);
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// The schedule a seeded or stepped run followed, on stderr, with the command that follows
/// it again.
fn tell_schedule(schedule: Option<String>, command: &[String]) {
    if let Some(s) = schedule {
        eprintln!(
            "threadlanes: schedule {s}\n  replay it: threadlanes trace --replay {s} -- {}",
            threadlanes::explore::shell_words(command)
        );
    }
}

/// `explore`: runs the program under many schedules; the report of the first that fails on
/// stdout (exit status 1), or that none did (0). `--open` then steps through it in the TUI.
fn explore(args: &threadlanes::cli::ExploreArgs) -> ExitCode {
    use threadlanes::explore::{self, Settings, Verdict};
    if let Err(e) = args.check() {
        return fail(&e.to_string());
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let settings = Settings {
        argv: args.command.clone(),
        runs: args.runs,
        time: args.time.map(Duration::from_secs_f64),
        seed: args.seed,
        jobs: jobs.max(1),
        progress: std::io::stderr().is_terminal(),
    };
    let found = match explore::search(&settings) {
        Ok(Verdict::Failed(f)) => f,
        Ok(Verdict::Passed {
            runs,
            took,
            possible,
        }) => {
            let s = if runs == 1 { "" } else { "s" };
            println!(
                "no failing run in {runs} run{s} ({:.1}s): every schedule tried ended well",
                took.as_secs_f64()
            );
            for p in possible {
                println!("possible deadlock: {p}");
            }
            return ExitCode::SUCCESS;
        }
        Err(e) => return fail(&e.to_string()),
    };
    print!("{}", explore::report(&found, &args.command));
    if args.open {
        let trace = threadlanes::cli::TraceArgs {
            headless: false,
            json: false,
            step: true,
            seed: None,
            replay: Some(found.schedule.clone()),
            speed: 1.0,
            command: args.command.clone(),
        };
        let _ = trace_cmd(&trace);
    }
    ExitCode::from(1)
}

/// `record` and `export`: what they wrote goes to stderr, or the error and exit status 2.
fn done(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(msg) => {
            eprintln!("{msg}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// A last resort under the TUI's own signal handling. The loop sees SIGTERM, SIGHUP and
/// SIGINT (and a terminal that hangs up) at once, stops the run and restores the terminal,
/// in well under a second; nothing it waits on can trap it. Should it still be here `GRACE`
/// after such a signal (say a frame's write blocked on a terminal that no longer reads), it
/// puts back what it can of the terminal, quietly, and exits: a scenario's child processes
/// die with it (their death signal), though a traced program's cleanup is then skipped.
fn exit_on_signal_even_if_stuck() {
    const GRACE: Duration = Duration::from_secs(3);
    let Ok(mut signals) = Signals::new([SIGTERM, SIGHUP, SIGINT]) else {
        return; // no last resort; the app still handles the signals itself
    };
    let _ = std::thread::Builder::new()
        .name("threadlanes-signal-watchdog".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                std::thread::sleep(GRACE);
                threadlanes::app::terminal::restore_quietly();
                std::process::exit(128 + sig);
            }
        });
}

/// Test-only, not for users (tests/faults_pty.rs): `THREADLANES_TEST_UI_PANIC=1`, read once
/// here at startup, sets the terminal up as `app::terminal::main` does, installs the TUI's panic hook and
/// panics on the UI thread, so the test can check that a UI panic leaves the terminal usable
/// and its report readable. Nothing else reads the variable.
fn ui_panic_for_tests() -> ! {
    let mut terminal = ratatui::try_init().expect("the terminal is set up");
    threadlanes::app::terminal::install_panic_hook();
    // One whole frame first (it hides the cursor, as every frame does), then a panic in the
    // middle of the next, where a bug in a widget would strike.
    let _ =
        terminal.draw(|f| f.render_widget("threadlanes (test: a UI panic comes next)", f.area()));
    let _ =
        terminal.draw(|_| panic!("test-only panic in the UI thread (THREADLANES_TEST_UI_PANIC=1)"));
    unreachable!("the frame above panics");
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("threadlanes: {msg}");
    ExitCode::from(2)
}

#[cfg(test)]
mod title_tests {
    use super::program_title;

    fn title(cmd: &str) -> String {
        let argv: Vec<String> = cmd.split(' ').map(String::from).collect();
        program_title(&argv)
    }

    #[test]
    fn a_traced_program_is_named_by_its_script_or_its_file() {
        assert_eq!(title("python3 tests/python/bank.py"), "bank.py");
        assert_eq!(
            title("python3 -u /tmp/x/run.py --fast 3"),
            "run.py --fast 3"
        );
        assert_eq!(title("/usr/bin/python3.12 -X dev job.py"), "job.py");
        assert_eq!(title("python3 -m http.server 8000"), "http.server 8000");
        assert_eq!(title("./target/debug/examples/clerks"), "clerks");
        assert_eq!(title("python3"), "python3");
    }
}
