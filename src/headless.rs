//! Headless: a run without a TUI, over any [`Source`]. Prints the event log (text with who
//! woke whom, or JSON Lines with `--json`), problems and a summary, and exits with the run's
//! outcome: a scenario's by the rules in [`exit`], a traced program's with its own status.
//!
//! A source that takes signals (a traced program) gets Ctrl-C, TERM and HUP passed on and
//! is reported on as it ends; otherwise a signal ends us as usual. A closed stdout (a pipe
//! into `head`) ends the run at once, quietly, as `cat` would end.

use crate::event::{Event, ExitHow, Op};
use crate::model::check::Checker;
use crate::model::{WorkerState, World, describe, waitfor};
use crate::source::{End, Item, Limit, Source, ended};
use crate::wire;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::io::{BufWriter, ErrorKind, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Exit codes: what a script can tell from `threadlanes run --headless`.
pub mod exit {
    /// Ended, and the outcome is the correct one.
    pub const OK: i32 = 0;
    /// Ended with the wrong outcome (lost updates, an overdraft) or deadlocked.
    pub const WRONG: i32 = 1;
    /// Stopped by `--for` before it ended.
    pub const CUT: i32 = 2;
    /// A worker panicked or the stream broke a primitive's rules.
    pub const ERROR: i32 = 3;
    /// stdout was closed under us (128 + SIGPIPE, as `cat` ends).
    pub const CLOSED: i32 = 128 + libc::SIGPIPE;
}

pub struct Headless {
    pub json: bool,
    pub for_secs: Option<f64>,
}

/// What ran, in the summary's words (the caller knows; the headless does not ask).
pub struct Ran {
    /// The summary's first line: "scenario: race — version: without the lock (--variant
    /// no-lock), workers=2" or
    /// "traced: python3 app.py" (the exit status, if the source has one, is added).
    pub title: String,
    /// After the time it ran: " of virtual time" for a scenario, "" on real time.
    pub clock: &'static str,
}

impl Ran {
    /// A scenario run from a plan.
    pub fn scenario(plan: &crate::cli::Plan) -> Ran {
        let params: Vec<_> = plan
            .config
            .shown_params(&plan.scenario.info)
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        let info = &plan.scenario.info;
        // The version by its words ("with the lock"), the name `--variant` takes beside it.
        let version = info
            .variant(plan.config.variant)
            .map(|v| format!("version: {} (--variant {})", v.label, v.name));
        let mut what: Vec<String> = version.into_iter().chain(params).collect();
        if what.is_empty() {
            what.push("one version".into());
        }
        Ran {
            title: format!("scenario: {} — {}", info.name, what.join(", ")),
            clock: " of virtual time",
        }
    }

    /// A traced program, by its command.
    pub fn program(argv: &[String]) -> Ran {
        Ran {
            title: format!("traced: {}", argv.join(" ")),
            clock: "",
        }
    }
}

/// How long one wait for the source lasts before the end is looked for again.
const TICK: Duration = Duration::from_millis(20);
/// The log reaches stdout at least this often while events come.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
const STOP_WITHIN: Duration = Duration::from_secs(2);

/// Runs `source` to its end and reports; returns the exit code.
pub fn run(
    source: &mut dyn Source,
    ran: &Ran,
    h: &Headless,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let signalled = source.controls().signals.then(pass_signals_on);
    let limit = h
        .for_secs
        .map(|s| Limit::At(Instant::now() + Duration::from_secs_f64(s)));
    let mut log = Log::new(&mut *out, h.json);
    // Who waits for whom, kept from the moment a cycle forms (stopping clears it).
    let mut cycle: Option<String> = None;
    let end = loop {
        if let Some(sig) = signalled.as_ref().map(|s| s.swap(0, Ordering::SeqCst))
            && sig != 0
        {
            source.signal(sig as i32);
        }
        let n = source.wait(TICK, &mut |item| log.take(item, err));
        log.flush_if(n == 0);
        if log.closed {
            source.stop(STOP_WITHIN);
            return exit::CLOSED;
        }
        if let (None, Some(c)) = (&cycle, &log.world.deadlock) {
            cycle = Some(waitfor::describe_cycle(&log.world, c));
        }
        if let Some(end) = ended(source, &log.world, limit) {
            break end;
        }
    };
    if end == End::Stuck && cycle.is_none() {
        // Threads stuck before their wait began (at a traced program's gates).
        cycle = source.stuck_cycle();
    }
    if end != End::Finished {
        source.stop(STOP_WITHIN);
    }
    while source.drain(TICK, &mut |item| log.take(item, err)) > 0 {}
    log.flush_if(true);
    if log.closed {
        return exit::CLOSED;
    }
    let status = source.exit_status();
    let text = summary(ran, status, &log.world, &log.checker.violations, end, cycle);
    let sink: &mut dyn Write = if h.json { err } else { &mut log.out };
    let _ = write!(sink, "{}", printable(&text, false));
    let _ = sink.flush();
    status.unwrap_or_else(|| code(&log.world, &log.checker.violations, end))
}

/// Ctrl-C, TERM and HUP noted for the loop to pass on (the program is in its own process
/// group, so it gets them only from us); we stay to report what it did.
fn pass_signals_on() -> Arc<AtomicUsize> {
    let signalled = Arc::new(AtomicUsize::new(0));
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        let s = signalled.clone();
        // SAFETY: the handler only stores into an atomic.
        let _ = unsafe {
            signal_hook::low_level::register(sig, move || s.store(sig as usize, Ordering::SeqCst))
        };
    }
    signalled
}

/// The log as it is written: the world and checker it is told from, and where it goes.
struct Log<W: Write> {
    /// One write a burst, not one a line: a busy run sends millions a second.
    out: BufWriter<W>,
    json: bool,
    world: World,
    checker: Checker,
    flushed: Instant,
    /// stdout is closed (or failed): nothing more is written.
    closed: bool,
    /// A put's begin and its line, written once the next event shows whether it blocked.
    held: Option<(Event, String)>,
}

impl<W: Write> Log<W> {
    fn new(out: W, json: bool) -> Log<W> {
        Log {
            out: BufWriter::with_capacity(1 << 16, out),
            json,
            world: World::default(),
            checker: Checker::new(),
            flushed: Instant::now(),
            closed: false,
            held: None,
        }
    }

    fn take(&mut self, item: Item, err: &mut dyn Write) {
        match item {
            Item::Event(ev) => self.event(&ev),
            // At once, beside the log (stdout carries only events with --json).
            Item::Problem(p) => {
                let _ = writeln!(err, "threadlanes: {}", printable(&p, false));
                self.world.problem(p);
            }
            // A program's own output has passed through already.
            Item::Output { .. } => {}
            // Headless waits for its reader: nothing is dropped, but a gap is a gap.
            Item::Gap => self.world.gap(),
        }
    }

    fn event(&mut self, ev: &Event) {
        self.world.apply(ev);
        self.checker.check(ev);
        if self.closed {
            return;
        }
        if self.json {
            self.write(&wire::encode(ev));
            return;
        }
        // With who woke whom, as the TUI's log says it.
        let n = self.world.causes.seen().saturating_sub(1);
        // A put's begin waits for the next event: if that is its end, come at once, the
        // end's line says it all (as in the TUI's log).
        if let Some((begin, line)) = self.held.take() {
            let woke = self.world.causes.by_event(n).is_some();
            if !describe::said_by_next(&begin, ev, woke) {
                self.write(&line);
            }
        }
        let line = describe::log_line_at(&self.world, ev, n);
        match ev.op {
            Op::PutBegin { .. } => self.held = Some((ev.clone(), line)),
            _ => self.write(&line),
        }
    }

    fn write(&mut self, line: &str) {
        if let Err(e) = writeln!(self.out, "{}", printable(line, self.json)) {
            self.fail(e);
        }
    }

    /// Flushes when the run is quiet, or the log has waited long enough.
    fn flush_if(&mut self, quiet: bool) {
        if self.closed || !(quiet || self.flushed.elapsed() >= FLUSH_EVERY) {
            return;
        }
        // Quiet: a put's begin held back is a put that blocks; it is said now.
        if quiet && let Some((_, line)) = self.held.take() {
            self.write(&line);
        }
        self.flushed = Instant::now();
        if let Err(e) = self.out.flush() {
            self.fail(e);
        }
    }

    /// A closed stdout ends the run quietly; any other failure to write is said once.
    fn fail(&mut self, e: std::io::Error) {
        if e.kind() != ErrorKind::BrokenPipe {
            eprintln!("threadlanes: cannot write the log: {e}");
        }
        self.closed = true;
    }
}

/// Text from a run made safe for a terminal: names, items and lines come from the program
/// (a thread may be named `"\x1b[2J"`), and an escape sequence in them must reach the reader
/// as text, not as a command to the terminal. Control characters (C0 but newline and tab,
/// DEL, C1) are written as `\x1b`-style escapes — or, in a JSON line, where the encoder has
/// escaped C0 already, C1 as the JSON escape `\u0085` (they can only stand inside strings).
pub fn printable(s: &str, json: bool) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\n' && c != '\t') || c == '\u{7f}';
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match (bad(c), json) {
            (false, _) => out.push(c),
            (true, false) => out.push_str(&format!("\\x{:02x}", c as u32)),
            (true, true) => out.push_str(&format!("\\u{:04x}", c as u32)),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn code(world: &World, violations: &[String], end: End) -> i32 {
    let panicked = world.workers.iter().any(|w| {
        matches!(
            w.state,
            WorkerState::Done {
                how: ExitHow::Panic,
                ..
            }
        )
    });
    if panicked || !violations.is_empty() {
        exit::ERROR
    } else if matches!(end, End::Deadlock | End::Stuck)
        || world.outcome.as_ref().is_some_and(|o| !o.1)
    {
        exit::WRONG
    } else if end == End::Cut {
        exit::CUT
    } else {
        exit::OK
    }
}

fn summary(
    ran: &Ran,
    status: Option<i32>,
    world: &World,
    violations: &[String],
    end: End,
    cycle: Option<String>,
) -> String {
    let mut s = String::from("\n── summary ──\n");
    s.push_str(&ran.title);
    if let Some(code) = status {
        s.push_str(&format!(" (exit status {code})"));
    }
    let n = |count: usize, one: &str| match count {
        1 => format!("1 {one}"),
        _ => format!("{count} {one}s"),
    };
    s.push_str(&format!(
        "\nran {}{}, {}, {}, {}\n",
        describe::elapsed(world.t),
        ran.clock,
        n(world.events as usize, "event"),
        n(world.workers.len(), "worker"),
        n(world.objects.len(), "object"),
    ));
    let width = world
        .workers
        .iter()
        .map(|w| w.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(14, 24);
    for w in &world.workers {
        s.push_str(&format!(
            "  {:<width$} {}\n",
            w.name,
            describe::state(world, w)
        ));
    }
    let deadlocked = matches!(end, End::Deadlock | End::Stuck) && cycle.is_some();
    match (end, cycle) {
        (End::Deadlock | End::Stuck, Some(words)) => {
            s.push_str(&format!("outcome: DEADLOCK: {words}\n"))
        }
        (End::Stuck, None) => s.push_str("outcome: STUCK: every worker waits and none can go on\n"),
        (End::Cut, _) => s.push_str("stopped by --for before the run ended\n"),
        _ => {}
    }
    // Said when this run was lucky (another interleaving can close the cycle); a run
    // that deadlocked has said it above.
    if !deadlocked {
        for words in describe::possible_deadlocks(world) {
            s.push_str(&format!("possible deadlock: {words}\n"));
        }
    }
    if let Some((text, ok)) = &world.outcome {
        let mark = if *ok { "as expected" } else { "WRONG" };
        s.push_str(&format!("outcome: {text} ({mark})\n"));
    }
    for v in violations {
        s.push_str(&format!("violation: {v}\n"));
    }
    for p in &world.problems {
        s.push_str(&format!("problem: {p}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn text_from_a_program_cannot_drive_the_terminal() {
        let name = "\u{1b}[2J\u{1b}]0;PWNED\u{7}";
        assert_eq!(printable(name, false), "\\x1b[2J\\x1b]0;PWNED\\x07");
        assert_eq!(printable("car-1\tok\n", false), "car-1\tok\n");
        assert_eq!(printable("a\u{9b}b", false), "a\\x9bb");
        // In JSON a C1 character becomes a JSON escape; the encoder escaped C0 already.
        let line = crate::wire::encode(&crate::event::Event {
            t: 0,
            pid: 1,
            w: 0,
            op: crate::event::Op::Say {
                text: "x\u{1b}y\u{9b}z".into(),
            },
        });
        let safe = printable(&line, true);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back["text"], "x\u{1b}y\u{9b}z");
    }
}
