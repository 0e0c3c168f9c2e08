//! A traced program while it runs: started with the shim under it in a process group of its
//! own, read by the [`pump`](super::pump) thread, its output passed through or kept, and
//! ended (with every process it started) on request. What it did comes out of `items()`.

use super::gates::Gates;
use super::outlet::{self, Dropped, Outlet, Stopping};
use super::pump::{Pump, Shared};
use super::schedule::Strategy;
use super::stdout::StdoutRoute;
use crate::runner::Mode;
use crate::source::Item;
use crate::source::clock::monotonic_ns;
use crate::source::ingest::MAX_LINE;
use std::io::Read;
use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where the program's stdout and stderr go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Straight to ours (headless text).
    Inherit,
    /// Both to our stderr, so our stdout carries only events (headless --json).
    ToStderr,
    /// Kept, and written out after the TUI ends; stderr lines also come as `Item::Output`.
    /// Its stdin is /dev/null: the terminal is not the program's (the TUI's, or one of
    /// `explore`'s runs at once, which must not read what the user types).
    Capture,
}

pub struct Options {
    /// Sleeps of the program take 1/speed of the time they ask for.
    pub speed: f64,
    pub output: Output,
    /// The TUI has the terminal: `input()` explains itself instead of waiting, and what the
    /// viewer cannot keep up with is dropped and counted rather than making the program wait
    /// (see `outlet`). Headless loses nothing.
    pub tui: bool,
}

/// Why a program could not be traced.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("give the program to trace after --, e.g. threadlanes trace -- python3 app.py")]
    NoCommand,
    #[error("cannot make a temporary directory: {0}")]
    TempDir(std::io::Error),
    #[error("cannot set up the trace in {}: {err}", dir.display())]
    Setup { dir: PathBuf, err: std::io::Error },
    #[error("cannot pass the program's output on to stderr: {0}")]
    Stderr(std::io::Error),
    #[error("cannot start {program}: {err}")]
    Spawn {
        program: String,
        err: std::io::Error,
    },
    #[error("cannot start the thread that reads the program: {0}")]
    Reader(std::io::Error),
    #[error(
        "python {flag} keeps threadlanes' shim out (it loads through PYTHONPATH and \
         sitecustomize): nothing of the program could be traced, so it was not started; \
         run it without {flag}"
    )]
    ShimKeptOut { flag: String },
}

/// What the program wrote: (stdout, stderr).
pub type Captured = (Vec<u8>, Vec<u8>);

/// A traced program while it runs, and what it left when it ended.
pub struct Trace {
    rx: crossbeam_channel::Receiver<Item>,
    child: Arc<Mutex<Child>>,
    pgid: i32,
    done: Arc<AtomicBool>,
    /// The program has ended and everything was read (some may still wait for the viewer).
    ended: Arc<AtomicBool>,
    dropped: Dropped,
    stopping: Stopping,
    status: Arc<Mutex<Option<i32>>>,
    captured: Arc<Mutex<Captured>>,
    gates: Arc<Gates>,
    dir: PathBuf,
    started: u64,
    /// The program was given the terminal (headless on a terminal): it is taken back.
    foreground: bool,
    /// The command as typed, for the status line.
    pub command: String,
    /// What the program's sleeps are scaled by.
    pub speed: f64,
}

impl Trace {
    /// Writes the shim, starts `argv` with it, and starts reading its events.
    pub fn start(argv: &[String], opts: &Options) -> Result<Trace, StartError> {
        Trace::start_gated(argv, opts, false)
    }

    /// The same; with `step`, every thread of the program waits at its gate before its
    /// first traced operation (see `Trace::gates`).
    pub fn start_gated(argv: &[String], opts: &Options, step: bool) -> Result<Trace, StartError> {
        let mode = if step { Mode::Step } else { Mode::Free };
        Trace::start_in(argv, opts, mode, None)
    }

    /// The same in `mode`: free, step (the user picks who goes) or seeded (`strategy` does).
    pub fn start_in(
        argv: &[String],
        opts: &Options,
        mode: Mode,
        strategy: Option<Strategy>,
    ) -> Result<Trace, StartError> {
        let (program, args) = argv.split_first().ok_or(StartError::NoCommand)?;
        if let Some(flag) = crate::trace::shim_kept_out(argv) {
            return Err(StartError::ShimKeptOut { flag });
        }
        let dir = super::dir::private_dir().map_err(StartError::TempDir)?;
        let sock = dir.join("events.sock");
        let listener = crate::trace::install(&dir)
            .and_then(|_| UnixListener::bind(&sock))
            .and_then(|l| l.set_nonblocking(true).map(|_| l))
            .map_err(|err| StartError::Setup {
                dir: dir.clone(),
                err,
            })?;
        let started = monotonic_ns();
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env("THREADLANES_SOCKET", &sock)
            .env("THREADLANES_T0", started.to_string())
            // Our pid: the process whose parent it is, is the one we started and wait for.
            .env("THREADLANES_VIEWER", std::process::id().to_string())
            .env("THREADLANES_SPEED", opts.speed.to_string())
            .env("PYTHONPATH", crate::trace::python_path(&dir))
            .env_remove("THREADLANES_ROOT_PID")
            .env(
                "THREADLANES_STEP",
                if mode != Mode::Free { "1" } else { "0" },
            )
            .env(
                "THREADLANES_SEEDED",
                if mode == Mode::Seeded { "1" } else { "0" },
            )
            .process_group(0);
        if std::env::var_os("_").is_some()
            && let Some(path) = crate::trace::shell_underscore(program)
        {
            cmd.env("_", path);
        }
        if opts.tui {
            cmd.env("THREADLANES_TUI", "1").stdin(Stdio::null());
        }
        let foreground = !opts.tui && super::terminal::ours();
        if foreground {
            super::terminal::hand_to(&mut cmd);
        }
        match opts.output {
            Output::Inherit => {}
            Output::ToStderr => {
                let err = std::os::fd::AsFd::as_fd(&std::io::stderr())
                    .try_clone_to_owned()
                    .map_err(StartError::Stderr)?;
                cmd.stdout(Stdio::from(err));
            }
            Output::Capture => {
                // Unbuffered, so what it printed is kept even if q ends it mid-way. The
                // shim hides the variable from the program (and its children) as its own.
                if std::env::var_os("PYTHONUNBUFFERED").is_none() {
                    cmd.env("PYTHONUNBUFFERED", "1")
                        .env("THREADLANES_UNBUFFERED", "1");
                }
                cmd.stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
            }
        }
        let mut child = cmd.spawn().map_err(|err| {
            let _ = std::fs::remove_dir_all(&dir);
            StartError::Spawn {
                program: program.clone(),
                err,
            }
        })?;
        let (tx, rx) = outlet::channel();
        let dropped = Dropped::default();
        let captured = Arc::new(Mutex::new((Vec::new(), Vec::new())));
        let mut stdout = None;
        if opts.output == Output::Capture {
            let route = opts
                .tui
                .then(|| Arc::new(StdoutRoute::new(tx.clone(), dropped.clone())));
            let r = route.clone();
            let out_lines = r.map(|r| Box::new(move |t| r.line(t)) as Lines);
            capture(child.stdout.take(), captured.clone(), out_lines, false);
            let (t, d) = (tx.clone(), dropped.clone());
            let err_lines: Lines = Box::new(move |line| {
                outlet::offer(&t, Item::Output { line, err: true }, &d);
            });
            capture(child.stderr.take(), captured.clone(), Some(err_lines), true);
            stdout = route;
        }
        let root = child.id();
        let child = Arc::new(Mutex::new(child));
        let done = Arc::new(AtomicBool::new(false));
        let ended = Arc::new(AtomicBool::new(false));
        let status = Arc::new(Mutex::new(None));
        let gates = Arc::new(Gates::new(mode, strategy, root));
        let shared = Shared {
            child: child.clone(),
            status: status.clone(),
            ended: ended.clone(),
            gates: gates.clone(),
            foreground,
            backlog: dir.join("backlog"),
            stdout,
        };
        let stopping = Stopping::default();
        let out = Outlet::new(tx, !opts.tui, dropped.clone(), stopping.clone());
        let pump = Pump::new(listener, root, started, out, shared);
        let d = done.clone();
        std::thread::Builder::new()
            .name("threadlanes-trace".into())
            .spawn(move || {
                pump.run();
                d.store(true, Ordering::SeqCst);
            })
            .map_err(StartError::Reader)?;
        Ok(Trace {
            rx,
            child,
            pgid: root as i32,
            done,
            ended,
            dropped,
            stopping,
            status,
            captured,
            gates,
            dir,
            started,
            foreground,
            command: argv.join(" "),
            speed: opts.speed,
        })
    }

    /// Step mode: the program's threads parked at their gates.
    pub(super) fn gates(&self) -> &Gates {
        &self.gates
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

    /// The program and every process it started have ended and all they wrote was read
    /// (some of it may still wait for the viewer: see [`Trace::is_finished`]), or, once
    /// stopped, the reader has let go of it.
    pub fn has_ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }

    /// Items the viewer could not keep up with, dropped (only under the TUI).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
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

    /// Starts ending the program (SIGTERM) without waiting: the viewer will take no more,
    /// so the reader no longer waits for it.
    pub fn cancel(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.signal(libc::SIGTERM);
    }

    /// Ends the program and all its children within `within`: SIGTERM, and SIGKILL to
    /// whatever is left once its first process has ended (or half of `within` has passed:
    /// its chance to end in its own way); then waits the rest for the reader to have read
    /// what they wrote. The private directory goes with them.
    pub fn stop(&mut self, within: Duration) {
        let start = Instant::now();
        self.cancel();
        while start.elapsed() < within / 2 && !self.root_ended() {
            std::thread::sleep(POLL);
        }
        // SAFETY: as above; the group may be gone already, which kill reports harmlessly.
        unsafe { libc::kill(-self.pgid, libc::SIGKILL) };
        while !self.has_ended() && start.elapsed() < within {
            std::thread::sleep(POLL);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    fn root_ended(&self) -> bool {
        self.exit_code().is_some()
            || self
                .child
                .lock()
                .map(|mut c| c.try_wait().ok().flatten().is_some())
                .unwrap_or(true)
    }

    /// What the program wrote to stdout and stderr (only with `Output::Capture`).
    pub fn captured(&self) -> Captured {
        self.captured.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl Drop for Trace {
    fn drop(&mut self) {
        if !self.has_ended() {
            self.stop(Duration::from_millis(300));
        }
        if self.foreground {
            super::terminal::take_back();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// How often a stop looks whether the program has ended.
const POLL: Duration = Duration::from_millis(2);

/// Where a pipe's lines go besides what is kept (the viewer's log).
type Lines = Box<dyn Fn(String) + Send>;

/// Keeps what a pipe of the program says; its lines also go to `lines` (stderr's to the
/// viewer, dropped and counted if it cannot keep up: they are kept whole here; stdout's
/// through its [`StdoutRoute`]).
fn capture(
    pipe: Option<impl Read + Send + 'static>,
    store: Arc<Mutex<Captured>>,
    lines: Option<Lines>,
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
                let Some(to) = &lines else {
                    continue;
                };
                for &b in &buf[..n] {
                    if b == b'\n' {
                        to(String::from_utf8_lossy(&line).into());
                        line.clear();
                    } else if line.len() < MAX_LINE {
                        // The rest of a longer line is in what is kept, not in the log.
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
