//! `processes`: real child processes, each with its own pid, all with main's pid as their
//! parent pid.

use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Res, outcome, say, sleep};
use crate::process::Process;
use crate::process::child::{self, Conn as ChildConn};
use serde_json::{Value, json};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "processes",
        title: "Processes: each its own pid",
        lesson: "child processes run the same program in their own address space, each with its own pid and main's pid as parent",
        explain: "Main starts child processes, as multiprocessing.Process(...).start() does. \
Each child is a real OS process: this same program started again, with its own memory and \
its own process id. Their lanes say `proc PID/PPID` (at 80 columns `PID/PPID`): the \
child's pid, then its parent's pid, which is main's.\n\n\
Each child asks the operating system who it is (getpid, getppid), prints it, works a \
while and ends; main joins each one, as p.join() does. The child's events reach this \
screen as JSON lines over a pipe, with its answers; the outcome checks them against the \
pids the OS gave when the children were started.",
        variants: &[
            variant("clean", "all end normally").explain(
                "Every child ends normally. Threads share one process and one pid; processes \
share nothing unless they ask for it (the next scenarios: queues, pipes, managers, shared \
memory).",
            ),
            variant("crash", "proc-2 crashes").explain(
                "proc-2 crashes: soon after it says who it is, it aborts (SIGABRT). Its lane \
ends as a failure, with its exit status; main and the other processes go on.",
            ),
            variant("kill-9", "proc-2 killed -9").explain(
                "proc-2 hangs: it would never end by itself. Once it has said who it is, main \
kills it with kill -9 (SIGKILL), which no process can catch. Its lane ends as killed, with its exit status; main and the other \
processes go on.",
            ),
            variant("bad-line", "a malformed line").explain(
                "proc-2 writes a line that is not JSON into the event stream threadlanes \
reads from it. threadlanes reports the line and what was wrong with it, and loses nothing \
else: proc-2's other events and everyone else's still arrive, and proc-2 ends normally.",
            ),
        ],
        params: &[param("processes", "child processes to start", 3, 1, 10)],
    },
    main,
};

pub fn role(name: &str) -> Option<crate::process::child::Role> {
    match name {
        "greet" => Some(greet),
        _ => None,
    }
}

fn main(cfg: &Config) -> Res<()> {
    let me = std::process::id();
    say(format!("main process: pid {me}"))?;
    let mut kids = Vec::new();
    for k in 1..=cfg.get("processes") {
        let name = format!("proc-{k}");
        // The faulty one, in the versions that have one.
        let fault = if k == 2 { cfg.variant } else { "clean" };
        let p = Process::new(&name, "processes", "greet")
            .args(json!({"k": k, "conn": format!("{name} pipe"), "fault": fault}))
            .conn(format!("{name} pipe"))
            .start()?;
        let conn = p.conn(&format!("{name} pipe"));
        kids.push((p, conn));
    }
    let mut wrong = Vec::new();
    let mut pids = vec![me];
    let mut ends = Vec::new();
    for (p, conn) in &kids {
        let told = conn.recv()?.unwrap_or(Value::Null);
        let (pid, ppid) = (told["pid"].as_u64(), told["ppid"].as_u64());
        if pid != Some(p.pid() as u64) || ppid != Some(me as u64) {
            wrong.push(format!("{} said {told}", p.name()));
        }
        pids.push(p.pid());
        if cfg.is("kill-9") && p.name() == "proc-2" {
            p.kill9()?;
        }
        let end = p.join()?;
        if end.code != Some(0) {
            say(format!("{} ended: {}", p.name(), end.words()))?;
        }
        ends.push(end);
    }
    if !cfg.is("clean") && !cfg.is("bad-line") {
        let others_ok = ends
            .iter()
            .enumerate()
            .all(|(i, e)| i == 1 || e.code == Some(0));
        let faulty = ends.get(1).map_or("not started".into(), |e| e.words());
        outcome(
            format!(
                "proc-2 ended abnormally ({faulty}); main and the other processes went on{}",
                if others_ok {
                    " and ended normally"
                } else {
                    ", but not all ended normally"
                }
            ),
            others_ok && ends.get(1).is_some_and(|e| e.signal.is_some()),
        );
        return Ok(());
    }
    pids.sort_unstable();
    pids.dedup();
    let n = kids.len();
    if wrong.is_empty() && pids.len() == n + 1 {
        let list: Vec<_> = kids.iter().map(|(p, _)| p.pid().to_string()).collect();
        outcome(
            format!(
                "{n} processes with pids {}, each distinct and each child of main (pid {me})",
                list.join(", ")
            ),
            true,
        );
    } else {
        outcome(format!("pids do not add up: {}", wrong.join("; ")), false);
    }
    Ok(())
}

/// A child: says who it is, tells main, works a while.
fn greet(args: &Value) -> Res<()> {
    // SAFETY: getpid and getppid take no arguments and cannot fail.
    let (pid, ppid) = unsafe { (libc::getpid(), libc::getppid()) };
    let conn = ChildConn::open(args["conn"].as_str().unwrap_or("pipe"));
    say(format!("{}: pid {pid}, parent pid {ppid}", child::name()))?;
    conn.send(json!({"pid": pid, "ppid": ppid}))?;
    match args["fault"].as_str().unwrap_or("") {
        "crash" => {
            sleep(0.3)?;
            say("about to abort()")?;
            child::flush();
            std::process::abort();
        }
        "bad-line" => child::raw_line("this line is not JSON {"),
        // Hangs: main kills it (so the kill always finds it running).
        "kill-9" => {
            say("stuck: it will never end by itself")?;
            sleep(3600.0)?;
        }
        _ => {}
    }
    sleep(0.5 * args["k"].as_f64().unwrap_or(1.0))?;
    say(format!("{} done", child::name()))
}
