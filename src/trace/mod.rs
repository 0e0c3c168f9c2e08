//! `threadlanes trace -- python3 SCRIPT.py`: a real Python program, traced live.
//!
//! The binary carries a shim (`assets/python/`). At run time it is written to a private
//! temporary directory that goes first on `PYTHONPATH`; its `sitecustomize` loads the shim in
//! every Python process of the program (and then any sitecustomize the user had). Each process
//! connects to a Unix socket in that directory (named in `THREADLANES_SOCKET`) and sends
//! JSON Lines; one thread here reads every connection, and [`ingest`] makes the ids unique and
//! the order true. The program's own files and behaviour are left alone.

pub mod headless;
pub mod ingest;

use ingest::Ingest;
pub use ingest::Item;
use std::io::{ErrorKind, Read};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SHIM: &str = include_str!("../../assets/python/threadlanes_shim.py");
const SITECUSTOMIZE: &str = include_str!("../../assets/python/sitecustomize.py");
/// How long an event waits for lines of other processes that happened before it.
pub(crate) const HOLD: Duration = Duration::from_millis(40);
/// After the program's first process ends, how long its children may go on reporting.
const LINGER: Duration = Duration::from_millis(1500);

/// Where the program's stdout and stderr go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Straight to ours (headless text).
    Inherit,
    /// Both to our stderr, so our stdout carries only events (headless --json).
    ToStderr,
    /// Kept, and written out after the TUI ends; stderr lines also come as `Item::Output`.
    Capture,
}

pub struct Options {
    /// Sleeps of the program take 1/speed of the time they ask for.
    pub speed: f64,
    pub output: Output,
    /// The TUI has the terminal: `input()` explains itself instead of waiting.
    pub tui: bool,
}

/// What the program wrote: (stdout, stderr).
pub type Captured = (Vec<u8>, Vec<u8>);

/// A traced program while it runs, and what it left when it ended.
pub struct Trace {
    rx: crossbeam_channel::Receiver<Item>,
    child: Arc<Mutex<Child>>,
    pgid: i32,
    done: Arc<AtomicBool>,
    status: Arc<Mutex<Option<i32>>>,
    captured: Arc<Mutex<Captured>>,
    dir: PathBuf,
    started: u64,
    /// The command as typed, for the status line.
    pub command: String,
    /// What the program's sleeps are scaled by.
    pub speed: f64,
}

/// CLOCK_MONOTONIC in ns: the clock Python's time.monotonic_ns() reads in every process.
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Trace {
    /// Writes the shim, starts `argv` with it, and starts reading its events.
    pub fn start(argv: &[String], opts: &Options) -> Result<Trace, String> {
        let (program, args) = argv.split_first().ok_or(
            "give the program to trace after --, e.g. threadlanes trace -- python3 app.py",
        )?;
        let dir = private_dir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
        let sock = dir.join("events.sock");
        let listener = write_shim(&dir)
            .and_then(|_| UnixListener::bind(&sock))
            .and_then(|l| l.set_nonblocking(true).map(|_| l))
            .map_err(|e| format!("cannot set up the trace in {}: {e}", dir.display()))?;
        let started = monotonic_ns();
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env("THREADLANES_SOCKET", &sock)
            .env("THREADLANES_T0", started.to_string())
            .env("THREADLANES_SPEED", opts.speed.to_string())
            .env("PYTHONPATH", python_path(&dir))
            .env_remove("THREADLANES_ROOT_PID")
            .process_group(0);
        if opts.tui {
            cmd.env("THREADLANES_TUI", "1").stdin(Stdio::null());
        }
        match opts.output {
            Output::Inherit => {}
            Output::ToStderr => {
                let err = std::os::fd::AsFd::as_fd(&std::io::stderr())
                    .try_clone_to_owned()
                    .map_err(|e| e.to_string())?;
                cmd.stdout(Stdio::from(err));
            }
            Output::Capture => {
                // Unbuffered, so what it printed is kept even if q ends it mid-way.
                cmd.env("PYTHONUNBUFFERED", "1");
                cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            }
        }
        let mut child = cmd.spawn().map_err(|e| {
            let _ = std::fs::remove_dir_all(&dir);
            format!("cannot start {program}: {e}")
        })?;
        let (tx, rx) = crossbeam_channel::unbounded();
        let captured = Arc::new(Mutex::new((Vec::new(), Vec::new())));
        if opts.output == Output::Capture {
            capture(child.stdout.take(), captured.clone(), None, false);
            capture(
                child.stderr.take(),
                captured.clone(),
                Some(tx.clone()),
                true,
            );
        }
        let root = child.id();
        let child = Arc::new(Mutex::new(child));
        let done = Arc::new(AtomicBool::new(false));
        let status = Arc::new(Mutex::new(None));
        let pump = Pump {
            listener,
            conns: Vec::new(),
            ingest: Ingest::new(root),
            tx,
            child: child.clone(),
            status: status.clone(),
            pgid: root as i32,
        };
        let d = done.clone();
        std::thread::Builder::new()
            .name("threadlanes-trace".into())
            .spawn(move || {
                pump.run();
                d.store(true, Ordering::SeqCst);
            })
            .map_err(|e| e.to_string())?;
        Ok(Trace {
            rx,
            child,
            pgid: root as i32,
            done,
            status,
            captured,
            dir,
            started,
            command: argv.join(" "),
            speed: opts.speed,
        })
    }

    pub fn items(&self) -> &crossbeam_channel::Receiver<Item> {
        &self.rx
    }

    /// Nanoseconds since the program started: its events' clock.
    pub fn now(&self) -> u64 {
        monotonic_ns().saturating_sub(self.started)
    }

    /// True once the program and its children have ended and every event has been sent.
    pub fn is_finished(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    /// The program's exit status (128 + signal when a signal ended it), once it has ended.
    pub fn exit_code(&self) -> Option<i32> {
        *self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends `sig` to the program and every process it started.
    pub fn signal(&self, sig: i32) {
        if self.exit_code().is_none() || !self.is_finished() {
            // SAFETY: kill(2) on the program's own process group, which we created.
            unsafe { libc::kill(-self.pgid, sig) };
        }
    }

    /// Ends the program and all its children: SIGTERM, then SIGKILL after `within`.
    pub fn stop(&mut self, within: Duration) {
        self.signal(libc::SIGTERM);
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            let exited = self
                .child
                .lock()
                .map(|mut c| c.try_wait().ok().flatten().is_some())
                .unwrap_or(true);
            if exited || self.exit_code().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // SAFETY: as above; the group may be gone already, which kill reports harmlessly.
        unsafe { libc::kill(-self.pgid, libc::SIGKILL) };
        let deadline = Instant::now() + within;
        while !self.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// What the program wrote to stdout and stderr (only with `Output::Capture`).
    pub fn captured(&self) -> Captured {
        self.captured.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl Drop for Trace {
    fn drop(&mut self) {
        if !self.is_finished() {
            self.stop(Duration::from_millis(300));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn private_dir() -> std::io::Result<PathBuf> {
    let nanos = monotonic_ns();
    let dir =
        std::env::temp_dir().join(format!("threadlanes-trace-{}-{nanos}", std::process::id()));
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

fn write_shim(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join("_threadlanes_shim.py"), SHIM)?;
    std::fs::write(dir.join("sitecustomize.py"), SITECUSTOMIZE)
}

/// Our directory first, then whatever PYTHONPATH the user had.
fn python_path(dir: &Path) -> std::ffi::OsString {
    let mut p = dir.as_os_str().to_owned();
    if let Some(old) = std::env::var_os("PYTHONPATH").filter(|o| !o.is_empty()) {
        p.push(":");
        p.push(old);
    }
    p
}

/// Keeps what a pipe of the program says; stderr lines also go to the viewer.
fn capture(
    pipe: Option<impl Read + Send + 'static>,
    store: Arc<Mutex<Captured>>,
    tx: Option<crossbeam_channel::Sender<Item>>,
    is_err: bool,
) {
    let Some(mut pipe) = pipe else { return };
    let _ = std::thread::Builder::new()
        .name("threadlanes-trace-output".into())
        .spawn(move || {
            let mut buf = [0u8; 8192];
            let mut line = Vec::new();
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = store.lock() {
                    let keep = if is_err { &mut s.1 } else { &mut s.0 };
                    keep_bounded(keep, &buf[..n]);
                }
                let Some(tx) = &tx else { continue };
                for &b in &buf[..n] {
                    if b == b'\n' {
                        let _ = tx.send(Item::Output(String::from_utf8_lossy(&line).into()));
                        line.clear();
                    } else {
                        line.push(b);
                    }
                }
            }
        });
}

/// Output kept per stream for after the TUI; a program that writes more is told so.
const OUTPUT_KEPT: usize = 16 << 20;

fn keep_bounded(keep: &mut Vec<u8>, bytes: &[u8]) {
    const NOTE: &[u8] =
        b"\n[threadlanes: the program wrote more than 16 MiB here; the rest was not kept]\n";
    if keep.len() >= OUTPUT_KEPT {
        return;
    }
    let room = OUTPUT_KEPT - keep.len();
    if bytes.len() <= room {
        keep.extend_from_slice(bytes);
    } else {
        keep.extend_from_slice(&bytes[..room]);
        keep.extend_from_slice(NOTE);
    }
}

/// One connection from one process of the program.
struct Conn {
    id: u64,
    stream: UnixStream,
    pending: Vec<u8>,
    open: bool,
}

/// The thread that reads every connection in turn (one reader, so no connection's lines are
/// held back by thread scheduling), and waits for the program to end.
struct Pump {
    listener: UnixListener,
    conns: Vec<Conn>,
    ingest: Ingest,
    tx: crossbeam_channel::Sender<Item>,
    child: Arc<Mutex<Child>>,
    status: Arc<Mutex<Option<i32>>>,
    pgid: i32,
}

impl Pump {
    fn run(mut self) {
        let hold = HOLD.as_nanos() as u64;
        let mut ended_at: Option<Instant> = None;
        loop {
            // Events are released by the time this pass began, not the time they are
            // released: a line written before another was read is read by then, however
            // long this thread was kept off the CPU.
            let pass = monotonic_ns();
            let busy = self.accept() | self.read_all();
            for ev in self.ingest.ready(pass, hold) {
                let _ = self.tx.send(Item::Event(ev));
            }
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
        for ev in self.ingest.finish() {
            let _ = self.tx.send(Item::Event(ev));
        }
    }

    fn accept(&mut self) -> bool {
        let mut any = false;
        while let Ok((stream, _)) = self.listener.accept() {
            if stream.set_nonblocking(true).is_ok() {
                let id = self.conns.len() as u64 + 1;
                self.conns.push(Conn {
                    id,
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
        let mut buf = vec![0u8; 64 * 1024];
        let now = monotonic_ns();
        for c in self.conns.iter_mut().filter(|c| c.open) {
            loop {
                match c.stream.read(&mut buf) {
                    Ok(0) => {
                        c.open = false;
                        break;
                    }
                    Ok(n) => {
                        any = true;
                        c.pending.extend_from_slice(&buf[..n]);
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let mut start = 0;
            while let Some(i) = c.pending[start..].iter().position(|&b| b == b'\n') {
                let line = String::from_utf8_lossy(&c.pending[start..start + i]).into_owned();
                start += i + 1;
                if let Some(p) = self.ingest.line(c.id, &line, now) {
                    let _ = self.tx.send(p);
                }
            }
            c.pending.drain(..start);
            if !c.open && !c.pending.is_empty() {
                let line = String::from_utf8_lossy(&c.pending).into_owned();
                c.pending.clear();
                if let Some(p) = self.ingest.line(c.id, &line, now) {
                    let _ = self.tx.send(p);
                }
            }
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
