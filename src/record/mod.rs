//! record / export: a run written to a file instead of the screen.
//!
//! - [`screencast`] drives the real [`crate::app::App`] frame by frame against an in-memory
//!   terminal and writes the frames as an asciicast v2 file ([`crate::cast`]).
//! - [`perfetto`] turns a run's events into a Chrome Trace Event file that Perfetto and
//!   chrome://tracing open.
//!
//! Both read a run through [`Reader`]: the scenario on real threads, its events taken one at a
//! time, and how it ended. This module runs scenarios and writes files; it draws nothing
//! itself and never changes how a scenario runs.

pub mod perfetto;
pub mod screencast;
pub mod script;

use crate::cli::Plan;
use crate::event::Event;
use crate::model::World;
use crate::runner::Mode;
pub use crate::source::End;
use crate::source::{Item, Limit, ScenarioSource, Source, ended};
use std::collections::VecDeque;
use std::time::Duration;

/// How long one wait for the run lasts before the end is looked for again.
const TICK: Duration = Duration::from_millis(20);

/// A live run read one event at a time, with a look-ahead, until it ends.
///
/// In seeded mode the events and their virtual times are the same on every run, however
/// fast the run goes, so a `Reader` can run far ahead of a recording at a high speed.
pub struct Reader {
    source: ScenarioSource,
    seeded: bool,
    /// Folded only to see a deadlock form (free mode).
    world: World,
    ahead: VecDeque<Event>,
    end: Option<End>,
    /// Seeded mode: the virtual time of the first event, taken off every event (see `take`).
    origin: Option<u64>,
}

impl Reader {
    /// Starts `plan`'s scenario with `plan.options` as given.
    pub fn start(plan: &Plan) -> Reader {
        let (main, cfg) = (plan.scenario.main, plan.config.clone());
        Reader {
            source: ScenarioSource::start(move || main(&cfg), plan.options),
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

    /// Takes the next event (see [`Reader::peek`]).
    pub fn next(&mut self, limit: Option<u64>) -> Option<Event> {
        self.peek(limit)?;
        self.ahead.pop_front()
    }

    /// Waits until at least one event is ahead or the run has ended (the one end test).
    fn fill(&mut self, limit: Option<u64>) {
        loop {
            let (seeded, origin, world, ahead) = (
                self.seeded,
                &mut self.origin,
                &mut self.world,
                &mut self.ahead,
            );
            let n = self.source.wait(TICK, &mut |item| {
                if let Item::Event(ev) = item {
                    take(seeded, origin, world, ahead, ev);
                }
            });
            if n > 0 {
                return;
            }
            let limit = limit.map(|l| Limit::Clock(l.saturating_add(self.origin.unwrap_or(0))));
            if let Some(end) = ended(&self.source, &self.world, limit) {
                self.end = Some(end);
                return;
            }
        }
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

/// Keeps one event. A seeded run's clock starts frozen only a moment after it is made, so
/// its first event is stamped with however much time went by at the run's speed (ms at a
/// high speed); everything after moves by logical steps from there. Taking that first stamp
/// off every event gives the times that are the same on every run.
fn take(
    seeded: bool,
    origin: &mut Option<u64>,
    world: &mut World,
    ahead: &mut VecDeque<Event>,
    mut ev: Event,
) {
    if seeded {
        let o = *origin.get_or_insert(ev.t);
        ev.t = ev.t.saturating_sub(o);
    }
    world.apply(&ev);
    ahead.push_back(ev);
}

/// `threadlanes export`: runs the plan to its end (or `limit_ns` of virtual time) and writes
/// the trace to `path`. Returns a one-line summary for stderr.
pub fn export(
    plan: &Plan,
    limit_ns: Option<u64>,
    path: &std::path::Path,
) -> Result<String, String> {
    let (events, end) = Reader::start(plan).collect(limit_ns);
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
        crate::model::describe::elapsed(last),
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
    if let Some(v) = &args.run.variant {
        command.push_str(&format!(" --variant {v}"));
    }
    for s in &args.run.sets {
        command.push_str(&format!(" --set {s}"));
    }
    if args.run.speed != 1.0 {
        command.push_str(&format!(" --speed {}", args.run.speed));
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
    if args.run.seed.is_none() {
        msg.push_str(&format!(" (add --seed {seed} to record the same again)"));
    }
    if let Some(n) = rec.note {
        msg.push_str(&format!("\n{n}"));
    }
    Ok(msg)
}
