//! The thread that reads a traced program: every connection in turn (one reader, so no
//! connection's lines are held back by thread scheduling) through the time-ordered ingest,
//! until the program has ended and its children have had their say.

use super::HOLD;
use crate::source::Item;
use crate::source::clock::monotonic_ns;
use crate::source::ingest::{Ingest, Out, StreamId};
use std::io::{ErrorKind, Read};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::ExitStatusExt;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// After the program's first process ends, how long its children may go on reporting.
const LINGER: Duration = Duration::from_millis(1500);

/// One connection from one process of the program.
struct Conn {
    src: StreamId,
    stream: UnixStream,
    pending: Vec<u8>,
    open: bool,
}

pub(super) struct Pump {
    listener: UnixListener,
    conns: Vec<Conn>,
    ingest: Ingest,
    tx: crossbeam_channel::Sender<Item>,
    child: Arc<Mutex<Child>>,
    status: Arc<Mutex<Option<i32>>>,
    pgid: i32,
    buf: Vec<u8>,
}

impl Pump {
    pub fn new(
        listener: UnixListener,
        root: u32,
        tx: crossbeam_channel::Sender<Item>,
        child: Arc<Mutex<Child>>,
        status: Arc<Mutex<Option<i32>>>,
    ) -> Pump {
        Pump {
            listener,
            conns: Vec::new(),
            ingest: Ingest::timed(root, HOLD),
            tx,
            child,
            status,
            pgid: root as i32,
            buf: vec![0u8; 64 * 1024],
        }
    }

    pub fn run(mut self) {
        let mut ended_at: Option<Instant> = None;
        loop {
            // Events are released by the time this pass began, not the time they are
            // released: a line written before another was read is read by then, however
            // long this thread was kept off the CPU.
            let pass = monotonic_ns();
            let busy = self.accept() | self.read_all();
            self.ingest.at(pass);
            send(&self.tx, self.ingest.tick());
            if ended_at.is_none() && self.reap() {
                ended_at = Some(Instant::now());
            }
            if let Some(at) = ended_at {
                let quiet = self.conns.iter().all(|c| !c.open) && !busy;
                if (quiet && at.elapsed() >= HOLD) || at.elapsed() >= LINGER {
                    break;
                }
            }
            if !busy {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        // Whatever the program left behind goes with it.
        // SAFETY: kill(2) on the program's own process group.
        unsafe { libc::kill(-self.pgid, libc::SIGKILL) };
        self.read_all();
        send(&self.tx, self.ingest.finish());
    }

    fn accept(&mut self) -> bool {
        let mut any = false;
        while let Ok((stream, _)) = self.listener.accept() {
            if stream.set_nonblocking(true).is_ok() {
                let n = self.conns.len() + 1;
                let src = self
                    .ingest
                    .add_source(format!("traced program, connection {n}"), 0);
                self.conns.push(Conn {
                    src,
                    stream,
                    pending: Vec::new(),
                    open: true,
                });
                any = true;
            }
        }
        any
    }

    fn read_all(&mut self) -> bool {
        let mut any = false;
        self.ingest.at(monotonic_ns());
        for i in 0..self.conns.len() {
            if !self.conns[i].open {
                continue;
            }
            any |= self.read_conn(i);
        }
        any
    }

    /// Reads what connection `i` has now, and every whole line of it into the ingest.
    fn read_conn(&mut self, i: usize) -> bool {
        let c = &mut self.conns[i];
        let mut any = false;
        loop {
            match c.stream.read(&mut self.buf) {
                Ok(0) => {
                    c.open = false;
                    break;
                }
                Ok(n) => {
                    any = true;
                    c.pending.extend_from_slice(&self.buf[..n]);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let mut start = 0;
        while let Some(at) = c.pending[start..].iter().position(|&b| b == b'\n') {
            let out = self.ingest.line(c.src, &c.pending[start..start + at]);
            start += at + 1;
            send(&self.tx, out);
        }
        c.pending.drain(..start);
        if !c.open && !c.pending.is_empty() {
            let out = self.ingest.line(c.src, &c.pending);
            c.pending.clear();
            send(&self.tx, out);
        }
        any
    }

    /// True once the program's first process has ended (its status is kept).
    fn reap(&mut self) -> bool {
        let Ok(mut child) = self.child.lock() else {
            return true;
        };
        match child.try_wait() {
            Ok(Some(st)) => {
                let code = st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0));
                if let Ok(mut s) = self.status.lock() {
                    *s = Some(code);
                }
                true
            }
            Ok(None) => false,
            Err(_) => true,
        }
    }
}

/// Events and problems to the viewer (a traced program sends no data messages).
fn send(tx: &crossbeam_channel::Sender<Item>, out: Vec<Out>) {
    for o in out {
        let item = match o {
            Out::Event(_, ev) => Item::Event(ev),
            Out::Malformed { text, .. } => Item::Problem(text),
            Out::Data { .. } => continue,
        };
        let _ = tx.send(item);
    }
}
