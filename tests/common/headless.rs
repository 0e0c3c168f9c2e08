//! The real binary run headless with `--json`: its events decoded, its stderr and exit code.

use std::process::Command;
use threadlanes::event::{Event, ExitHow, Op, WorkerId};
use threadlanes::wire;

pub struct Out {
    pub events: Vec<Event>,
    pub stderr: String,
    pub code: i32,
}

/// `threadlanes run ARGS --headless --json`; every stdout line must decode.
pub fn run(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .arg("run")
        .args(args)
        .args(["--headless", "--json"])
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let events = stdout
        .lines()
        .enumerate()
        .map(|(i, l)| wire::decode(l).unwrap_or_else(|e| panic!("line {}: {e}: {l}", i + 1)))
        .collect();
    Out {
        events,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().expect("exited, not killed"),
    }
}

/// The scenario's outcome: its text and whether it is the correct one.
pub fn outcome(o: &Out) -> (String, bool) {
    o.events
        .iter()
        .find_map(|e| match &e.op {
            Op::Outcome { text, ok } => Some((text.clone(), *ok)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no outcome in the stream; stderr: {}", o.stderr))
}

/// Every line the scenario printed, in order.
pub fn says(o: &Out) -> Vec<String> {
    o.events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Say { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Workers that ended this way.
pub fn exits(o: &Out, how: ExitHow) -> usize {
    o.events
        .iter()
        .filter(|e| matches!(&e.op, Op::Exit { how: h, .. } if *h == how))
        .count()
}

/// The worker declared with this name.
pub fn worker(o: &Out, name: &str) -> WorkerId {
    o.events
        .iter()
        .find(|e| matches!(&e.op, Op::Worker { name: n, .. } if n == name))
        .unwrap_or_else(|| panic!("no worker {name}"))
        .w
}

/// How worker `w` ended: its exit op.
pub fn exit_of(o: &Out, w: WorkerId) -> &Op {
    &o.events
        .iter()
        .find(|e| e.w == w && matches!(e.op, Op::Exit { .. }))
        .unwrap_or_else(|| panic!("worker {w} never exits"))
        .op
}
