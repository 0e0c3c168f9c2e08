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
message sits in it (1 in flight) from the moment it is sent until the other side receives \
it.\n\n\
Each side has other work between messages (a sleep: main about a second, the child a little \
less), so a message usually arrives while its receiver is busy and waits in the pipe for a \
while. Without that work each side would sit in recv and take every message the instant it \
was sent: it would never be seen in the pipe.\n\n\
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

/// Main's other work before it reads the first message and between sending a ping and
/// reading the answer, and the child's before it reads a ping and before it answers. A round
/// is MAIN_WORK on both sides, so every ping waits about 0.35 s in the pipe and every pong
/// about 0.45 s.
const MAIN_START: f64 = 0.5;
const MAIN_WORK: f64 = 1.1;
const CHILD_IDLE: f64 = 0.8;
const CHILD_THINK: f64 = 0.3;

fn main(cfg: &Config) -> Res<()> {
    let n = cfg.get("messages");
    let p = Process::new("child", "pipe", "answer")
        .args(json!({"messages": n}))
        .conn("pipe")
        .start()?;
    let conn = p.conn("pipe");
    sleep(MAIN_START)?;
    let first = conn.recv()?.unwrap_or(Value::Null);
    say(format!("main received {first}"))?;
    let mut answers = Vec::new();
    for i in 1..=n {
        conn.send(json!(format!("ping {i}")))?;
        sleep(MAIN_WORK)?;
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
        sleep(CHILD_IDLE)?;
        let ping = conn.recv()?;
        sleep(CHILD_THINK)?;
        let n = ping.as_str().unwrap_or("").trim_start_matches("ping ");
        conn.send(json!(format!("pong {n}")))?;
    }
    Ok(())
}
