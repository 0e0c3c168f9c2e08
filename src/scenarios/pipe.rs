//! `pipe`: parent and child talk over a duplex connection; each message shows as it crosses.

use super::{Config, Info, Scenario, param};
use crate::probe::{Res, outcome, say, sleep};
use crate::process::Process;
use crate::process::child::{self, Conn as ChildConn};
use serde_json::{Value, json};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "pipe",
        title: "A pipe between parent and child",
        lesson: "a pipe connects two processes; what one sends, the other receives, in order",
        explain: "Pipe() gives two connected ends; main keeps one and hands the other to a \
child process. Either end can send and receive.\n\n\
Here the child first sends [42, null, \"hello\"], as in the tutorial; then main and the \
child take turns: main sends ping N, the child answers pong N. Watch the pipe object: a \
message sits in it from the moment it is sent until the other side receives it, and the \
receiver's lane shows it waiting (recv) until then.\n\n\
The bytes really cross between two OS processes: the child's end is its stdin and stdout, \
two OS pipes, one each way. Every message goes through threadlanes on its way, which is \
how it can draw it.",
        variants: &[],
        params: &[param("messages", "ping/pong rounds", 3, 1, 50)],
    },
    main,
};

pub fn role(name: &str) -> Option<child::Role> {
    match name {
        "answer" => Some(answer),
        _ => None,
    }
}

fn main(cfg: &Config) -> Res<()> {
    let n = cfg.get("messages");
    let p = Process::new("child", "pipe", "answer")
        .args(json!({"messages": n}))
        .conn("pipe")
        .start()?;
    let conn = p.conn("pipe");
    let first = conn.recv()?.unwrap_or(Value::Null);
    say(format!("main received {first}"))?;
    let mut answers = Vec::new();
    for i in 1..=n {
        conn.send(json!(format!("ping {i}")))?;
        let a = conn.recv()?.unwrap_or(Value::Null);
        answers.push(a.as_str().unwrap_or("").to_string());
    }
    p.join()?;
    let want: Vec<String> = (1..=n).map(|i| format!("pong {i}")).collect();
    let ok = first == json!([42, null, "hello"]) && answers == want;
    outcome(
        format!(
            "main got {first} then {} answers in order{}",
            answers.len(),
            if ok { "" } else { ": NOT what was sent" }
        ),
        ok,
    );
    Ok(())
}

/// The child's end: the tutorial's message, then a pong for each ping.
fn answer(args: &Value) -> Res<()> {
    let conn = ChildConn::open("pipe");
    conn.send(json!([42, null, "hello"]))?;
    for _ in 0..args["messages"].as_i64().unwrap_or(1) {
        let ping = conn.recv()?;
        sleep(0.3)?;
        let n = ping.as_str().unwrap_or("").trim_start_matches("ping ");
        conn.send(json!(format!("pong {n}")))?;
    }
    Ok(())
}
