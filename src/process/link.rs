//! The parent's end of its children: one thread per child reads its stdout through the run's
//! `Ingest` into the run's event stream, delivers its data messages, and when the stream ends
//! reaps the child and says how it ended (crashed, killed, cancelled) in its lane.

use super::mailbox::{Mailbox, deliver, new_mailbox};
use super::spawn::{ChildProcess, Ended, signal_name};
use crate::event::{Event, ExitHow, ObjectId, Op, WorkerId};
use crate::probe::Companion;
use crate::probe::core::Core;
use crate::probe::session::Session;
use crate::source::ingest::{Ids, Ingest, Out, StreamId as SourceId};
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::process::Child;
use std::sync::{Arc, Weak};

struct SessionIds(Weak<Session>);

impl Ids for SessionIds {
    fn worker(&mut self) -> WorkerId {
        self.0.upgrade().map_or(u32::MAX - 1, |s| s.new_worker_id())
    }
    fn object(&mut self) -> ObjectId {
        self.0.upgrade().map_or(u32::MAX - 1, |s| s.new_object_id())
    }
}

/// The run's ingest and what it learnt from the streams; its lock orders every injection.
pub(crate) struct Link {
    session: Weak<Session>,
    state: Mutex<LinkState>,
    /// The parent's workers wait here (registered for the run's stop wake-ups).
    pub core: Arc<Core<Mailbox>>,
}

/// Kept in the session for the run's length, found again by its type; it has nothing of its
/// own to end: the threads that read the children are `Children`'s.
impl Companion for Link {
    fn cancel(&self) {}
}

struct LinkState {
    ingest: Ingest,
    kids: HashMap<SourceId, WorkerId>,
    /// The run's virtual time when each child started.
    started: HashMap<SourceId, u64>,
    exited: HashSet<WorkerId>,
    /// Locks held by each child worker now, in the order taken.
    holding: HashMap<WorkerId, Vec<ObjectId>>,
    names: HashMap<ObjectId, String>,
    /// Connections a child serves: messages on them are relayed to its stdin.
    routes: HashMap<String, Arc<Mutex<std::process::ChildStdin>>>,
}

impl Link {
    /// The run's link, made on first use.
    pub fn of(s: &Arc<Session>) -> Arc<Link> {
        s.companion(|| Link {
            core: new_mailbox(s),
            session: Arc::downgrade(s),
            state: Mutex::new(LinkState {
                ingest: Ingest::new(Box::new(SessionIds(Arc::downgrade(s)))),
                kids: HashMap::new(),
                started: HashMap::new(),
                exited: HashSet::new(),
                holding: HashMap::new(),
                names: HashMap::new(),
                routes: HashMap::new(),
            }),
        })
    }

    /// An object the parent declared that children declare again by the same name.
    pub fn share(&self, name: &str, o: ObjectId) {
        let mut st = self.state.lock();
        st.ingest.share_object(name, o);
        st.names.insert(o, name.to_string());
    }

    /// Messages on `conn` from any child go to this child's stdin (relayed in order).
    pub fn route(&self, conn: &str, to: Arc<Mutex<std::process::ChildStdin>>) {
        self.state.lock().routes.insert(conn.to_string(), to);
    }

    /// A child's stream, its main worker already declared as `w`.
    pub fn add(&self, label: String, pid: u32, w: WorkerId) -> SourceId {
        let t0 = self.session.upgrade().map_or(0, |s| s.clock.now());
        let mut st = self.state.lock();
        let src = st.ingest.add_source(label, pid);
        st.started.insert(src, t0);
        st.ingest.bind_worker(src, 0, w);
        st.kids.insert(src, w);
        src
    }

    fn handle(&self, st: &mut LinkState, outs: Vec<Out>) {
        let Some(s) = self.session.upgrade() else {
            return;
        };
        for out in outs {
            match out {
                Out::Event(src, mut ev) => {
                    st.note(&ev);
                    // Free, the run's clock and the child's go together: the run's stamps
                    // it. Step and seeded, the run's clock stands still while children run
                    // free: the child's own time (from its start) keeps their lanes moving.
                    ev.t = match st.started.get(&src) {
                        Some(t0) if s.gate.controlled() => t0.saturating_add(ev.t),
                        _ => 0,
                    };
                    s.inject(ev);
                }
                Out::Data { value, .. } => {
                    let conn = value["conn"].as_str().unwrap_or("").to_string();
                    if let Some(to) = st.routes.get(&conn) {
                        use std::io::Write;
                        let mut to = to.lock();
                        let _ = writeln!(to, "{value}").and_then(|_| to.flush());
                        continue;
                    }
                    let v = value.get("v").cloned().unwrap_or(Value::Null);
                    deliver(&self.core, conn, v);
                    s.gate.poke();
                }
                Out::Malformed { src, text } => {
                    if let Some(w) = st.kids.get(&src) {
                        s.inject(say(*w, format!("malformed line from {text}")));
                    }
                }
            }
        }
    }

    /// Reads one child to its end, then reaps it and records how it ended.
    pub fn read(&self, src: SourceId, kid: Arc<ChildProcess>, mut child: Child) {
        let stderr = child.stderr.take().map(|e| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = BufReader::new(e).take(64 * 1024).read_to_string(&mut text);
                text
            })
        });
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).split(b'\n') {
                let Ok(bytes) = line else { break };
                let mut st = self.state.lock();
                let mut outs = st.ingest.line(src, &bytes);
                outs.extend(st.ingest.tick());
                self.handle(&mut st, outs);
            }
        }
        // Reaped first: a child that died without saying so gets its last words (abandoned
        // locks, its end) before any line that waited for its end goes on.
        let ended = kid.reap(&mut child);
        let err = stderr
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.chars().take(120).collect::<String>());
        // Its own lines may still wait for another child's (an acquire for a release):
        // they go first, so its exit, if it wrote one, is known before we judge its end.
        let mut st = self.state.lock();
        let waited = std::time::Instant::now();
        while st.ingest.held(src) > 0 && waited.elapsed() < std::time::Duration::from_secs(5) {
            drop(st);
            std::thread::sleep(std::time::Duration::from_millis(2));
            st = self.state.lock();
            let outs = st.ingest.tick();
            self.handle(&mut st, outs);
        }
        let w = *st.kids.get(&src).expect("a known child");
        if !st.exited.contains(&w)
            && let Some(s) = self.session.upgrade()
        {
            for ev in last_words(&mut st, w, &kid, &ended, err) {
                s.inject(ev);
            }
        }
        let outs = st.ingest.end(src);
        self.handle(&mut st, outs);
        drop(st);
        self.core.state.lock().ended.insert(kid.pid, ended);
        self.core.cv.notify_all();
        if let Some(s) = self.session.upgrade() {
            s.gate.external_ended();
        }
    }
}

impl LinkState {
    /// Keeps what the reaper needs to know: who exited, who holds which lock.
    fn note(&mut self, ev: &Event) {
        match &ev.op {
            Op::Exit { .. } => {
                self.exited.insert(ev.w);
            }
            Op::Object { o, name, .. } => {
                self.names.insert(*o, name.clone());
            }
            Op::AcquireEnd { o, ok: true, .. } => self.holding.entry(ev.w).or_default().push(*o),
            Op::Release { o, .. } => {
                if let Some(h) = self.holding.get_mut(&ev.w)
                    && let Some(i) = h.iter().rposition(|x| x == o)
                {
                    h.remove(i);
                }
            }
            _ => {}
        }
    }
}

fn say(w: WorkerId, text: String) -> Event {
    Event {
        t: 0,
        pid: 0,
        w,
        op: Op::Say { text },
    }
}

/// A child that ended without saying so (killed, crashed): what its lane shows — the locks
/// it abandoned, then its end with the exit status.
fn last_words(
    st: &mut LinkState,
    w: WorkerId,
    kid: &ChildProcess,
    ended: &Ended,
    err: Option<String>,
) -> Vec<Event> {
    let mut evs = Vec::new();
    let pid = kid.pid;
    for o in st.holding.remove(&w).unwrap_or_default() {
        let name = st.names.get(&o).cloned().unwrap_or_else(|| format!("#{o}"));
        evs.push(Event {
            pid,
            ..say(
                w,
                format!(
                    "died holding {}: ABANDONED — no code ran to release it (no \
                     unwinding after {}); the next process to lock it is told EOWNERDEAD",
                    crate::model::describe::label(crate::event::ObjectKind::Lock, &name),
                    ended.words()
                ),
            )
        });
    }
    let (how, msg) = if kid.cancelled.load(std::sync::atomic::Ordering::SeqCst) {
        (
            ExitHow::Cancelled,
            format!("stopped with the run ({})", ended.words()),
        )
    } else {
        let sent = *kid.sent.lock();
        match (ended.signal, sent) {
            (Some(sig), Some(s)) if sig == s => (
                ExitHow::Killed,
                format!("{} by its parent: {}", verb(sig), ended.words()),
            ),
            (Some(_), _) => (ExitHow::Panic, format!("crashed: {}", ended.words())),
            (None, _) => (
                if ended.code == Some(0) {
                    ExitHow::Ok
                } else {
                    ExitHow::Panic
                },
                match err {
                    Some(e) => format!("{}: {e}", ended.words()),
                    None => ended.words(),
                },
            ),
        }
    };
    st.exited.insert(w);
    evs.push(Event {
        t: 0,
        pid,
        w,
        op: Op::Exit {
            how,
            msg: Some(msg),
        },
    });
    evs
}

fn verb(sig: i32) -> String {
    match sig {
        libc::SIGTERM => "terminated".into(),
        libc::SIGKILL => "killed -9".into(),
        s => format!("killed with {}", signal_name(s)),
    }
}
