//! The thread that reads a traced program: every connection in turn (one reader, so no
//! connection's lines are held back by thread scheduling) through the time-ordered ingest,
//! until the program has ended and its children have had their say. A process still
//! connected then (one the program started and did not wait for) is told reading is over
//! and runs on untraced, as it would have; a program being stopped goes whole instead.
//!
//! Only live connections hold a descriptor: one is dropped once its process has closed it
//! and its last line is read, so a program may start any number of processes over its life.
//! If the descriptors run out all the same (more processes alive at once than `ulimit -n`
//! allows), a connection is taken and closed at once, so its process runs on untraced
//! instead of waiting for ever, and the user is told once. Each pass reads at most
//! [`READ_PER_PASS`] of one connection, so a process that writes without pause cannot hold
//! back the others' lines.
//!
//! A headless viewer takes every event, and may take them more slowly than the program
//! makes them. In free mode the reader then goes on reading into its backlog (see
//! `backlog`), so the program never waits on its socket; the backlog goes through the
//! ingest as the viewer makes room, and before anything read after it.

use super::HOLD;
use super::backlog::{Backlog, Chunk};
use super::facts;
use super::gates::{self, Gates};
use super::outlet::Outlet;
use super::stdout::StdoutRoute;
use crate::event::ExitHow;
use crate::runner::Mode;
use crate::source::Item;
use crate::source::clock::monotonic_ns;
use crate::source::ingest::{Frames, Ingest, Out, Piece, StreamId, packed};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::ExitStatusExt;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// After the program's first process ends, how long its children may go on reporting.
const LINGER: Duration = Duration::from_millis(1500);

/// How long what the program wrote before it was killed is still read.
const LAST_READS: Duration = Duration::from_millis(100);

/// How often the end of a run looks whether the viewer has room for the backlog.
const LOOK_EVERY: Duration = Duration::from_millis(1);

/// Longest a pass waits for something to read: then what is held goes on, and the gates
/// and the program's end are looked at.
const IDLE: Duration = Duration::from_millis(2);

/// Most bytes read from one connection in one pass.
const READ_PER_PASS: usize = 256 << 10;

/// One connection from one process of the program.
struct Conn {
    src: StreamId,
    /// Shared (weakly) with the gates, which write "go" back on it.
    stream: Arc<UnixStream>,
    lines: Frames,
    /// Its process closed it: it is dropped once its last line is read.
    closed: bool,
}

/// What the reader shares with the program's side: the program's status once it ended,
/// and whether reading is over.
pub(super) struct Shared {
    pub child: Arc<Mutex<Child>>,
    pub status: Arc<Mutex<Option<i32>>>,
    /// The program and every process it started have ended and everything was read.
    pub ended: Arc<AtomicBool>,
    /// Step mode: the threads parked at their gates.
    pub gates: Arc<Gates>,
    /// The program was given the terminal: it is taken back once the program ends.
    pub foreground: bool,
    /// Where the backlog's file goes if it needs one.
    pub backlog: std::path::PathBuf,
    /// Under the TUI: where the program's stdout lines go.
    pub stdout: Option<Arc<StdoutRoute>>,
}

pub(super) struct Pump {
    listener: UnixListener,
    conns: Vec<Conn>,
    /// Connections whose process closed them while their last bytes were in the backlog:
    /// their partial lines wait for the backlog's close.
    closing: Vec<(StreamId, Frames)>,
    backlog: Backlog,
    /// A chunk of the backlog, read back.
    replayed: Vec<u8>,
    /// Connections taken so far: each is named by its number.
    accepted: usize,
    ingest: Ingest,
    out: Outlet,
    shared: Shared,
    pgid: i32,
    buf: Vec<u8>,
    /// A descriptor held in reserve: freed, it lets one connection be taken and closed
    /// when the limit is reached (so its process is not left waiting).
    spare: Option<File>,
    told_limit: bool,
    /// A process waits to connect and no descriptor is left to take it, not even the spare:
    /// the listener stays readable, so the reader does not poll it (it would never sleep).
    stuck: bool,
}

impl Pump {
    pub fn new(
        listener: UnixListener,
        root: u32,
        started: u64,
        out: Outlet,
        shared: Shared,
    ) -> Pump {
        Pump {
            listener,
            conns: Vec::new(),
            closing: Vec::new(),
            backlog: Backlog::new(shared.backlog.clone()),
            replayed: Vec::new(),
            accepted: 0,
            ingest: Ingest::timed(root, HOLD, started),
            out,
            shared,
            pgid: root as i32,
            buf: vec![0u8; 256 * 1024],
            spare: File::open("/dev/null").ok(),
            told_limit: false,
            stuck: false,
        }
    }

    pub fn run(mut self) {
        let mut ended_at: Option<Instant> = None;
        loop {
            // Events are released by the time this pass began, not the time they are
            // released: a line written before another was read is read by then, however
            // long this thread was kept off the CPU.
            let pass = monotonic_ns();
            self.out.flush();
            let busy = self.replay() | self.accept() | self.read_all(pass);
            if self.backlog.is_empty() {
                // (With a backlog, time in the ingest is the time of the chunk it is at.)
                self.ingest.at(pass);
                let out = self.ingest.tick();
                self.send(out);
            }
            self.shared.gates.tick();
            if ended_at.is_none() && self.reap() {
                ended_at = Some(Instant::now());
            }
            if let Some(at) = ended_at {
                // A program that ended by itself gets a hold for lines still on their way.
                // A program being stopped is not read any further: the viewer wants no
                // more of it.
                let quiet = self.conns.is_empty() && self.backlog.is_empty() && !busy;
                let done = (quiet && at.elapsed() >= HOLD) || at.elapsed() >= LINGER;
                if done || self.out.stopping() {
                    break;
                }
            }
            if !busy {
                self.idle(IDLE);
            }
        }
        if ended_at.is_some() && !self.out.stopping() {
            // The program ended by itself: what it left running (a background process it
            // did not wait for) runs on, untraced, as it would have.
            self.let_go();
        } else {
            // A program being stopped goes whole, with whatever it started.
            // SAFETY: kill(2) on the program's own process group.
            unsafe { libc::kill(-self.pgid, libc::SIGKILL) };
        }
        let until = Instant::now() + LAST_READS;
        while !self.out.stopping() && self.read_all(monotonic_ns()) && Instant::now() < until {}
        self.drain();
        for c in std::mem::take(&mut self.conns) {
            self.close(c);
        }
        let out = self.ingest.finish();
        self.send(out);
        if let Some(r) = &self.shared.stdout {
            // It never said it prints for itself: its lines are shown.
            r.decide(true);
        }
        self.shared.ended.store(true, Ordering::SeqCst);
        self.out.close();
    }

    /// Tells every process still connected that reading is over (`{"mode":"done"}`): it
    /// runs on untraced, and takes the connection's end for no hang-up. The socket's name
    /// goes first: a process that connects later finds no socket (rather than one nobody
    /// listens on, which says threadlanes was killed) and runs on untraced too.
    fn let_go(&mut self) {
        if let Ok(addr) = self.listener.local_addr()
            && let Some(path) = addr.as_pathname()
        {
            let _ = std::fs::remove_file(path);
        }
        for c in &self.conns {
            let _ = (&*c.stream).write_all(b"{\"mode\":\"done\"}\n");
            self.ingest.let_go(c.src);
        }
    }

    /// Takes every connection waiting; true if there was one.
    fn accept(&mut self) -> bool {
        let mut any = false;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    any = true;
                    self.stuck = false;
                    if stream.set_nonblocking(true).is_ok() {
                        self.add(stream);
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) => {
                    if !self.refuse_one() {
                        self.stuck = true;
                        return any;
                    }
                    any = true;
                }
                Err(_) => return any,
            }
        }
    }

    fn add(&mut self, stream: UnixStream) {
        self.accepted += 1;
        let label = format!("traced program, connection {}", self.accepted);
        let src = self.ingest.add_source(label, 0);
        let stream = Arc::new(stream);
        self.shared.gates.connected(Arc::downgrade(&stream));
        self.conns.push(Conn {
            src,
            stream,
            lines: Frames::default(),
            closed: false,
        });
    }

    /// Waits until a connection has something to read or a process connects, at most
    /// `most`. Not a plain sleep: a program that writes fast fills its socket in well under
    /// a millisecond, and would then wait for the reader's nap to end.
    fn idle(&self, most: Duration) {
        if self.out.backed_up() && !self.spooling() {
            // Nothing will be read until the viewer has room.
            return std::thread::sleep(most);
        }
        let listener = (!self.stuck).then(|| self.listener.as_raw_fd());
        let fds = listener
            .into_iter()
            .chain(self.conns.iter().map(|c| c.stream.as_raw_fd()));
        let mut polled: Vec<libc::pollfd> = fds
            .map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        let ms = most.as_millis().max(1) as libc::c_int;
        // SAFETY: poll(2) on descriptors we own, through a buffer of the length given.
        unsafe { libc::poll(polled.as_mut_ptr(), polled.len() as libc::nfds_t, ms) };
    }

    /// What is read now goes to the backlog: chunks wait there already (they go first), or
    /// the viewer is backed up and the program runs free (with gates, the program waits
    /// for the viewer instead: its gates wait on what is read).
    fn spooling(&self) -> bool {
        !self.backlog.is_empty() || (self.out.backed_up() && !self.shared.gates.watching())
    }

    /// The backlog through the ingest, oldest chunk first, each at the time of the pass
    /// that read it, as far as the viewer has room; true if a chunk went.
    fn replay(&mut self) -> bool {
        let mut any = false;
        while !self.out.backed_up() && !self.out.stopping() {
            let Some(chunk) = self.backlog.next(&mut self.replayed) else {
                break;
            };
            any = true;
            match chunk {
                Chunk::Bytes { src, pass } => {
                    self.ingest.at(pass);
                    let live = self.conns.iter_mut().find(|c| c.src == src);
                    let (lines, conn) = match live {
                        Some(c) => (&mut c.lines, Arc::downgrade(&c.stream)),
                        None => match self.closing.iter_mut().find(|(s, _)| *s == src) {
                            Some((_, lines)) => (lines, Weak::new()),
                            None => continue,
                        },
                    };
                    let (ingest, out) = (&mut self.ingest, &mut self.out);
                    let to = Gate {
                        gates: &self.shared.gates,
                        stdout: self.shared.stdout.as_deref(),
                        conn,
                    };
                    lines.push(&self.replayed, &mut |p| pass_on(ingest, out, &to, src, p));
                }
                Chunk::Closed { src, pass } => {
                    self.ingest.at(pass);
                    if let Some(k) = self.closing.iter().position(|(s, _)| *s == src) {
                        let (src, lines) = self.closing.swap_remove(k);
                        self.finish(src, lines, Weak::new());
                    }
                }
            }
            let out = self.ingest.tick();
            self.send(out);
        }
        any
    }

    /// The end of reading: the whole backlog goes through, however long the viewer takes
    /// (unless it stops the run).
    fn drain(&mut self) {
        while !self.backlog.is_empty() && !self.out.stopping() {
            self.out.flush();
            if !self.replay() {
                std::thread::sleep(LOOK_EVERY);
            }
        }
    }

    /// No descriptor is left for a new connection: the spare one makes room to take it and
    /// close it, so its process is not left waiting on a connection nobody reads (the shim
    /// then runs it on untraced). False if even that was not possible.
    fn refuse_one(&mut self) -> bool {
        if self.spare.take().is_none() {
            return false;
        }
        let took = self.listener.accept().is_ok();
        self.spare = File::open("/dev/null").ok();
        if !self.told_limit {
            self.told_limit = true;
            let text = format!(
                "the program has more processes alive at once than open files allowed ({} \
                 connections open, limit {}; see ulimit -n): a process that connects now runs \
                 on untraced, and its events are not shown",
                self.conns.len(),
                open_file_limit()
            );
            self.out.send(Item::Problem(text));
        }
        took
    }

    /// Reads every connection, in the pass that began at `pass`; true if one had something.
    fn read_all(&mut self, pass: u64) -> bool {
        let mut any = false;
        if self.backlog.is_empty() {
            self.ingest.at(monotonic_ns());
        }
        let mut i = 0;
        while i < self.conns.len() && !self.out.stopping() {
            any |= self.read_conn(i, pass);
            if !self.conns[i].closed {
                i += 1;
                continue;
            }
            let c = self.conns.swap_remove(i);
            if self.backlog.is_empty() {
                self.close(c);
            } else {
                // Its last bytes are in the backlog: it closes there, after them.
                self.backlog.closed(c.src, pass);
                self.closing.push((c.src, c.lines));
            }
        }
        any
    }

    /// Reads what connection `i` has now (up to [`READ_PER_PASS`]), and every whole line of
    /// it into the ingest, or into the backlog while spooling; true if it had something.
    fn read_conn(&mut self, i: usize, pass: u64) -> bool {
        let mut read = 0;
        while read < READ_PER_PASS && !self.out.stopping() {
            let spool = self.spooling();
            if !spool && self.out.backed_up() {
                // Gates: the program waits for the viewer.
                break;
            }
            let c = &mut self.conns[i];
            match (&*c.stream).read(&mut self.buf) {
                Ok(0) => {
                    c.closed = true;
                    break;
                }
                Ok(n) if spool => {
                    read += n;
                    self.backlog.push(c.src, pass, &self.buf[..n]);
                }
                Ok(n) => {
                    read += n;
                    let (ingest, out) = (&mut self.ingest, &mut self.out);
                    let to = Gate {
                        gates: &self.shared.gates,
                        stdout: self.shared.stdout.as_deref(),
                        conn: Arc::downgrade(&c.stream),
                    };
                    c.lines
                        .push(&self.buf[..n], &mut |p| pass_on(ingest, out, &to, c.src, p));
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => {
                    c.closed = true;
                    break;
                }
            }
        }
        read > 0 || self.conns[i].closed
    }

    /// A connection its process has closed: its last line goes on, and its descriptor is
    /// given back.
    fn close(&mut self, c: Conn) {
        let conn = Arc::downgrade(&c.stream);
        self.finish(c.src, c.lines, conn);
    }

    /// The end of `src`'s lines: a partial last line goes on.
    fn finish(&mut self, src: StreamId, mut lines: Frames, conn: Weak<UnixStream>) {
        let (ingest, out) = (&mut self.ingest, &mut self.out);
        let to = Gate {
            gates: &self.shared.gates,
            stdout: self.shared.stdout.as_deref(),
            conn,
        };
        lines.finish(&mut |p| pass_on(ingest, out, &to, src, p));
        let end = self.ingest.end(src);
        self.send(end);
    }

    /// True once the program's first process has ended (its status is kept).
    fn reap(&mut self) -> bool {
        let Ok(mut child) = self.shared.child.lock() else {
            return true;
        };
        match child.try_wait() {
            Ok(Some(st)) => {
                if self.shared.foreground {
                    super::terminal::take_back();
                }
                let code = st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0));
                if let Ok(mut s) = self.shared.status.lock() {
                    *s = Some(code);
                }
                let (how, msg) = match (st.code(), st.signal()) {
                    (Some(0), _) => (ExitHow::Ok, None),
                    (Some(n), _) => (ExitHow::Panic, Some(format!("exit code {n}"))),
                    (None, s) => (ExitHow::Killed, Some(format!("signal {}", s.unwrap_or(0)))),
                };
                self.ingest.root_ended(how, msg);
                true
            }
            Ok(None) => false,
            Err(_) => true,
        }
    }

    fn send(&mut self, out: Vec<Out>) {
        send(&mut self.out, out);
    }
}

/// The event a thread parked at the step gate is said with (`{"op":"gate","next":...}`), in
/// its process's own ids, as if it had written it, at `t`: the lanes draw the time a
/// stepped thread waits for the user as that, not as running.
fn gate_event(line: &gates::GateLine, t: u64) -> String {
    let o = line.local_o.map_or(String::new(), |(o, opid)| {
        format!(",\"o\":{o},\"opid\":{opid}")
    });
    format!(
        "{{\"t\":{t},\"pid\":{},\"w\":{},\"op\":\"gate\",\"next\":\"{}\"{o}}}",
        line.pid, line.local, line.op
    )
}

/// Where a connection's gate lines go: the gates, and the connection to answer on; and
/// whom its first worker line tells who says the program's prints.
struct Gate<'a> {
    gates: &'a Gates,
    stdout: Option<&'a StdoutRoute>,
    conn: Weak<UnixStream>,
}

/// One piece of a connection into the ingest, and what comes of it to the viewer. A gate
/// line goes to the gates instead, at once (it is no event: it says what comes next).
fn pass_on(ingest: &mut Ingest, out: &mut Outlet, to: &Gate, src: StreamId, piece: Piece) {
    let o = match piece {
        Piece::Line(l) => match gates::parse(l, ingest) {
            Ok(line) => {
                if to.gates.mode() == Mode::Step {
                    // Stamped now, not at the pass's start: the thread's lines before its
                    // gate line were written before this moment, and come before it.
                    let t = ingest.age_at(monotonic_ns());
                    send(out, ingest.line(src, gate_event(&line, t).as_bytes()));
                }
                return to.gates.park(line, to.conn.clone());
            }
            Err(Some(local)) => return to.gates.pass(local, &to.conn),
            Err(None) => {
                if let Some(r) = to.stdout.filter(|r| !r.is_decided()) {
                    r.read(l);
                }
                if to.gates.watching()
                    && let Some(f) = facts::read(l, ingest)
                {
                    to.gates.fact(&f);
                }
                ingest.line(src, l)
            }
        },
        Piece::TooLong(n) => ingest.skip(src, n),
        Piece::Packed { pid, records } => {
            if to.gates.watching() {
                let facts = records.chunks_exact(packed::RECORD);
                for f in facts.filter_map(|r| facts::of_record(pid, r, ingest)) {
                    to.gates.fact(&f);
                }
            }
            let mut o = Vec::new();
            ingest.records(src, pid, records, &mut o);
            o
        }
        Piece::BadFrame(n) => ingest.bad_frame(src, n),
    };
    send(out, o);
}

/// Events and problems to the viewer (a traced program sends no data messages).
fn send(outlet: &mut Outlet, out: Vec<Out>) {
    for o in out {
        let item = match o {
            Out::Event(_, ev) => Item::Event(ev),
            Out::Malformed { text, .. } => Item::Problem(text),
            Out::Data { .. } => continue,
        };
        outlet.send(item);
    }
}

/// How many files this process may have open (`ulimit -n`).
fn open_file_limit() -> u64 {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the rlimit we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } == 0 {
        r.rlim_cur
    } else {
        0
    }
}
