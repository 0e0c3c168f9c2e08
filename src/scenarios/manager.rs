//! `manager`: a dict and a list that live in a manager process, changed by ten processes
//! through requests; all changes land in the one dict and the one list.

use super::kit::join_all;
use super::{Config, Info, Scenario, param};
use crate::event::{ObjectKind, Op};
use crate::probe::core::declare;
use crate::probe::{Res, outcome, say, sleep};
use crate::process::child::{self, Conn as ChildConn};
use crate::process::{Inbox, Process};
use serde_json::{Map, Value, json};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "manager",
        title: "A Manager: a dict and a list shared by ten processes",
        lesson: "a manager process holds the shared dict and list; other processes change them by sending it requests",
        explain: "Processes share no memory, so how can ten of them fill one dict? \
multiprocessing.Manager() starts a server process that holds the real dict and list; \
what the others get are proxies, and d[k] = v or l.append(x) on a proxy sends a request \
to the manager and waits for its answer.\n\n\
Here main starts the manager process, then ten processes; each does d[pid] = pid and \
l.append(pid) and prints the list, as in the tutorial. Watch the manager's lane: it takes \
the requests one at a time, so no update is lost, and the len(d) and len(l) values grow \
by one per request. The requests and answers are JSON lines over OS pipes; they pass \
through threadlanes on their way, which relays them (and so can draw them).\n\n\
At the end main asks the manager for the dict and the list: ten keys, and the list's \
five first items plus ten pids.",
        variants: &[],
        params: &[param("processes", "processes using the manager", 10, 1, 20)],
    },
    main,
};

pub fn role(name: &str) -> Option<child::Role> {
    match name {
        "serve" => Some(serve),
        "use" => Some(use_it),
        _ => None,
    }
}

const REQUESTS: &str = "manager requests";

fn main(cfg: &Config) -> Res<()> {
    let n = cfg.get("processes");
    let mine = Inbox::new("main replies");
    let manager = Process::new("manager", "manager", "serve")
        .serves(REQUESTS)
        .start()?;
    let to_manager = manager.conn(REQUESTS);
    let mut procs = Vec::new();
    for k in 1..=n {
        let name = format!("proc-{k}");
        let replies = format!("{name} replies");
        let p = Process::new(&name, "manager", "use")
            .args(json!({ "replies": replies }))
            .serves(&replies)
            .start()?;
        procs.push(p);
    }
    join_all(&procs)?;
    to_manager.send(json!({"op": "dump", "reply": "main replies"}))?;
    let both = mine.recv()?;
    say(format!("d = {}", both["d"]))?;
    say(format!("l = {}", both["l"]))?;
    to_manager.send(json!({"op": "close"}))?;
    manager.join()?;
    let keys = both["d"].as_object().map_or(0, |d| d.len());
    let items = both["l"].as_array().map_or(0, |l| l.len());
    let ok = keys == n as usize && items == 5 + n as usize;
    outcome(
        format!(
            "the dict has {keys} keys and the list {items} items (expected {n} and {}): every \
             process's update landed",
            5 + n
        ),
        ok,
    );
    Ok(())
}

/// The manager: holds the dict and the list, serves requests one at a time.
fn serve(_: &Value) -> Res<()> {
    let requests = ChildConn::open(REQUESTS);
    let len_d = declare("len(d)", ObjectKind::Value, None, ()).id;
    let len_l = declare("len(l)", ObjectKind::Value, None, ()).id;
    let mut d = Map::new();
    let mut l: Vec<Value> = (0..5).map(Value::from).collect();
    let emit = crate::process::emit;
    let len = |o, n: usize| Op::Write {
        o,
        value: (n as i64).into(),
        index: None,
    };
    emit(len(len_d, 0));
    emit(len(len_l, 5));
    let mut conns: std::collections::HashMap<String, ChildConn> = Default::default();
    loop {
        let r = requests.recv()?;
        let Some(to) = r["reply"].as_str().map(str::to_string) else {
            return Ok(()); // close
        };
        // Serving takes a moment: the others' requests queue meanwhile, one at a time.
        sleep(0.1)?;
        let conn = conns
            .entry(to.clone())
            .or_insert_with(|| ChildConn::open(&to));
        let reply = |v: Value| conn.send(v);
        match r["op"].as_str().unwrap_or("") {
            "set" => {
                d.insert(r["key"].to_string(), r["value"].clone());
                emit(len(len_d, d.len()));
                reply(json!("ok"))?;
            }
            "append" => {
                l.push(r["value"].clone());
                emit(len(len_l, l.len()));
                reply(json!(l))?;
            }
            "dump" => reply(json!({"d": d, "l": l}))?,
            _ => return Ok(()),
        }
    }
}

/// A process using the proxies: d[pid] = pid; l.append(pid); print(l).
fn use_it(args: &Value) -> Res<()> {
    // SAFETY: getpid cannot fail.
    let pid = unsafe { libc::getpid() };
    let replies_name = args["replies"].as_str().unwrap_or("replies");
    let requests = ChildConn::open(REQUESTS);
    let replies = ChildConn::open(replies_name);
    requests.send(json!({"op": "set", "key": pid, "value": pid, "reply": replies_name}))?;
    replies.recv()?;
    requests.send(json!({"op": "append", "value": pid, "reply": replies_name}))?;
    let l = replies.recv()?;
    say(format!("{l}"))
}
