//! `trace --headless`: the traced program's events as a log (or JSON Lines with `--json`),
//! its own output passed through, a summary at the end, and its exit status as ours.

use super::{Item, Options, Output, Trace};
use crate::model::check::Checker;
use crate::model::{World, describe};
use crate::wire;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Runs `argv` traced; returns the program's exit status (2 when it could not start).
pub fn run(
    argv: &[String],
    json: bool,
    speed: f64,
    out_sink: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let opts = Options {
        speed,
        output: if json {
            Output::ToStderr
        } else {
            Output::Inherit
        },
        tui: false,
    };
    let trace = match Trace::start(argv, &opts) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "threadlanes: {e}");
            return 2;
        }
    };
    // Ctrl-C reaches the program as it would without us (it is in its own process group, so
    // we pass it on); we stay to report what it did.
    let signalled = Arc::new(AtomicUsize::new(0));
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        let s = signalled.clone();
        // SAFETY: the handler only stores into an atomic.
        let _ = unsafe {
            signal_hook::low_level::register(sig, move || s.store(sig as usize, Ordering::SeqCst))
        };
    }
    // One write a burst, not one a line: a busy program sends many thousands a second.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut *out_sink);
    let mut world = World::default();
    let mut checker = Checker::new();
    let mut problems = 0;
    loop {
        let sig = signalled.swap(0, Ordering::SeqCst);
        if sig != 0 {
            trace.signal(sig as i32);
        }
        match trace.items().recv_timeout(Duration::from_millis(20)) {
            Ok(Item::Event(ev)) => {
                world.apply(&ev);
                checker.check(&ev);
                let line = if json {
                    wire::encode(&ev)
                } else {
                    describe::log_line(&world, &ev)
                };
                let _ = writeln!(out, "{line}");
            }
            Ok(Item::Problem(p)) => {
                problems += 1;
                let _ = writeln!(err, "threadlanes: {p}");
            }
            Ok(Item::Output(_)) => {}
            Err(_) if trace.is_finished() && trace.items().is_empty() => break,
            Err(_) => {
                let _ = out.flush();
            }
        }
    }
    let _ = out.flush();
    drop(out);
    let code = trace.exit_code().unwrap_or(2);
    let sink: &mut dyn Write = if json { err } else { out_sink };
    let _ = write!(
        sink,
        "{}",
        summary(&trace, &world, &checker.violations, problems, code)
    );
    code
}

fn summary(
    trace: &Trace,
    world: &World,
    violations: &[String],
    problems: usize,
    code: i32,
) -> String {
    let mut s = String::from("\n── summary ──\n");
    s.push_str(&format!(
        "traced: {} (exit status {code})\nran {}, {} events, {} workers, {} objects\n",
        trace.command,
        describe::secs(world.t),
        world.events,
        world.workers.len(),
        world.objects.len()
    ));
    for w in &world.workers {
        s.push_str(&format!("  {:<20} {}\n", w.name, describe::state(world, w)));
    }
    if problems > 0 {
        s.push_str(&format!(
            "{problems} malformed line(s) from the program skipped\n"
        ));
    }
    for v in violations {
        s.push_str(&format!("violation: {v}\n"));
    }
    s
}
