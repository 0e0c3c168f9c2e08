//! record / export: a run written to a file instead of the screen.
//!
//! - [`screencast`] drives the real [`crate::app::App`] frame by frame against an in-memory
//!   terminal and writes the frames as an asciicast v2 file ([`cast`]).
//! - [`perfetto`] turns a run's events into a Chrome Trace Event file that Perfetto and
//!   chrome://tracing open.
//!
//! Both read a run through [`Source`]: the scenario on real threads, its events taken one at a
//! time, and how it ended. This module runs scenarios and writes files; it draws nothing
//! itself and never changes how a scenario runs.

pub mod cast;
pub mod live;
pub mod perfetto;
pub mod screencast;
pub mod script;

use crate::cli::Plan;
use crate::event::Event;
use crate::model::World;
use crate::runner::{Mode, Run};
use std::collections::VecDeque;
use std::time::Duration;

/// How a run's stream of events ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Every worker ended.
    Finished,
    /// Free mode: a wait-for cycle formed (the run would never end by itself).
    Deadlock,
    /// Seeded mode: every worker waits and none can go (a deadlock, or waits nobody ends).
    Stuck,
    /// Stopped early: virtual time passed the limit asked for.
    Cut,
}

impl End {
    pub fn as_str(self) -> &'static str {
        match self {
            End::Finished => "finished",
            End::Deadlock => "deadlock",
            End::Stuck => "stuck",
            End::Cut => "cut",
        }
    }
}

/// A live run read one event at a time, with a look-ahead, until it ends.
///
/// In seeded mode the events and their virtual times are the same on every run, however
/// fast the run goes, so a `Source` can run far ahead of a recording at a high speed.
pub struct Source {
    run: Run,
    seeded: bool,
    /// Folded only to see a deadlock form (free mode).
    world: World,
    ahead: VecDeque<Event>,
    end: Option<End>,
    /// Seeded mode: the virtual time of the first event, taken off every event (see `take`).
    origin: Option<u64>,
}

impl Source {
    /// Starts `plan`'s scenario with `plan.options` as given.
    pub fn start(plan: &Plan) -> Source {
        let cfg = plan.config.clone();
        let main = plan.scenario.main;
        let run = Run::start(move || main(&cfg), plan.options);
        Source {
            run,
            seeded: plan.options.mode == Mode::Seeded,
            world: World::default(),
            ahead: VecDeque::new(),
            end: None,
            origin: None,
        }
    }

    /// How the run ended, once it has and every event has been taken.
    pub fn end(&self) -> Option<End> {
        if self.ahead.is_empty() {
            self.end
        } else {
            None
        }
    }

    /// The next event without taking it. Waits for the run; `None` once the run has ended
    /// (or, with `limit`, once virtual time is past `limit` and nothing earlier came).
    pub fn peek(&mut self, limit: Option<u64>) -> Option<&Event> {
        if self.ahead.is_empty() && self.end.is_none() {
            self.fill(limit);
        }
        self.ahead.front()
    }

    /// Takes the next event (see [`Source::peek`]).
    pub fn next(&mut self, limit: Option<u64>) -> Option<Event> {
        self.peek(limit)?;
        self.ahead.pop_front()
    }

    /// Waits until at least one event is ahead or the run has ended; the same tests as
    /// `run --headless`.
    fn fill(&mut self, limit: Option<u64>) {
        loop {
            match self.run.events().recv_timeout(Duration::from_millis(20)) {
                Ok(ev) => {
                    self.take(ev);
                    // Whatever else is already there, in one go.
                    while let Ok(ev) = self.run.events().try_recv() {
                        self.take(ev);
                    }
                    return;
                }
                Err(_) if self.run.is_finished() && self.run.events().is_empty() => {
                    self.end = Some(End::Finished);
                    return;
                }
                Err(_) => {}
            }
            let quiet = self.run.events().is_empty();
            if self.seeded && self.run.is_stuck() && quiet {
                self.end = Some(End::Stuck);
                return;
            }
            if !self.seeded && self.world.deadlock.is_some() && quiet {
                self.end = Some(End::Deadlock);
                return;
            }
            let now = self.run.now().saturating_sub(self.origin.unwrap_or(0));
            if limit.is_some_and(|l| now > l) && quiet {
                self.end = Some(End::Cut);
                return;
            }
        }
    }

    /// Keeps one event. A seeded run's clock starts frozen only a moment after it is made,
    /// so its first event is stamped with however much time went by at the run's speed (ms
    /// at a high speed); everything after moves by logical steps from there. Taking that
    /// first stamp off every event gives the times that are the same on every run.
    fn take(&mut self, mut ev: Event) {
        if self.seeded {
            let origin = *self.origin.get_or_insert(ev.t);
            ev.t = ev.t.saturating_sub(origin);
        }
        self.world.apply(&ev);
        self.ahead.push_back(ev);
    }

    /// Every event up to virtual time `limit` (all of them without one), and how it ended.
    /// Events stamped after `limit` are left out and the end is then [`End::Cut`].
    pub fn collect(mut self, limit: Option<u64>) -> (Vec<Event>, End) {
        let mut out = Vec::new();
        while let Some(ev) = self.next(limit) {
            if limit.is_some_and(|l| ev.t > l) {
                return (out, End::Cut);
            }
            out.push(ev);
        }
        (out, self.end.unwrap_or(End::Finished))
    }
}

/// A seed that follows `seed` (for `r` in a recording: a fresh seed, but the same one on
/// every recording). Short, like `cli::fresh_seed`'s.
pub fn next_seed(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % 100_000
}

/// `threadlanes export`: runs the plan to its end (or `limit_ns` of virtual time) and writes
/// the trace to `path`. Returns a one-line summary for stderr.
pub fn export(
    plan: &Plan,
    limit_ns: Option<u64>,
    path: &std::path::Path,
) -> Result<String, String> {
    let (events, end) = Source::start(plan).collect(limit_ns);
    let meta = perfetto::Meta::of(plan, end, limit_ns);
    let trace = perfetto::trace(&events, &meta);
    let text = serde_json::to_string(&trace).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let workers = events
        .iter()
        .filter(|e| matches!(e.op, crate::event::Op::Worker { .. }))
        .count();
    let last = events.iter().map(|e| e.t).max().unwrap_or(0);
    Ok(format!(
        "wrote {}: {} events, {} workers, {} of virtual time ({})",
        path.display(),
        events.len(),
        workers,
        crate::model::describe::duration(last),
        end.as_str()
    ))
}

/// `threadlanes export`: checks the arguments, runs, writes. Ok: a line for stderr.
pub fn export_cmd(args: &crate::cli::ExportArgs) -> Result<String, String> {
    let plan = args.plan()?;
    let secs = args.for_secs.unwrap_or(600.0);
    export(&plan, Some((secs * 1e9) as u64), &args.output)
}

/// `threadlanes record`: checks the arguments, records, writes. Ok: lines for stderr.
pub fn record_cmd(args: &crate::cli::RecordArgs) -> Result<String, String> {
    let plan = args.plan()?;
    let (cols, rows) = crate::cli::parse_size(&args.size)?;
    let keys = script::parse(args.keys.as_deref().unwrap_or(""))?;
    let seed = plan.options.seed;
    let mut command = format!(
        "threadlanes record {} --seed {seed}",
        plan.scenario.info.name
    );
    if let Some(v) = &args.variant {
        command.push_str(&format!(" --variant {v}"));
    }
    for s in &args.sets {
        command.push_str(&format!(" --set {s}"));
    }
    if args.speed != 1.0 {
        command.push_str(&format!(" --speed {}", args.speed));
    }
    command.push_str(&format!(" --size {cols}x{rows}"));
    if let Some(f) = args.for_secs {
        command.push_str(&format!(" --for {f}"));
    }
    if let Some(k) = &args.keys {
        command.push_str(&format!(" --keys '{k}'"));
    }
    let req = screencast::Request {
        cols,
        rows,
        for_ms: args.for_secs.map(|s| (s * 1000.0).round() as u64),
        keys,
        title: format!(
            "threadlanes · {} · {}",
            plan.scenario.info.name, plan.scenario.info.title
        ),
        command,
    };
    let rec = screencast::record(&plan, &req);
    std::fs::write(&args.output, &rec.cast)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    let mut msg = format!(
        "wrote {}: {}x{rows}, {:.1} s, {} frames, seed {seed}",
        args.output.display(),
        cols,
        rec.ms as f64 / 1000.0,
        rec.frames
    );
    if args.seed.is_none() {
        msg.push_str(&format!(" (add --seed {seed} to record the same again)"));
    }
    if let Some(n) = rec.note {
        msg.push_str(&format!("\n{n}"));
    }
    Ok(msg)
}
