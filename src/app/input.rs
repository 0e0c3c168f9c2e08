//! What reaches the TUI from outside, as one stream of [`Input`] for the loop: the terminal's
//! keys and resizes, read on a thread of their own, and the process's signals, on another.
//!
//! Why a thread: crossterm 0.29's default reader spins inside `event::poll` once the
//! terminal has hung up (its read returns nothing, for ever), so a loop that read the
//! terminal itself never saw the hang-up, nor any signal after it. Here the loop only waits
//! on a channel, and the reader asks the kernel whether the terminal is still there before
//! each wait of crossterm's.
//!
//! crossterm is built with its `use-dev-tty` reader (Cargo.toml), which waits with poll(2)
//! on the terminal and its resize signal alike. Its default one waits with an
//! edge-triggered epoll and drops the terminal's readiness when a resize comes in the same
//! wake-up: a key typed during a resize storm then went unread until the next key.
//!
//! This module turns bytes and signals into inputs and nothing more: what an input means
//! (quit, suspend, redraw) is the loop's to decide.

use crossbeam_channel::{Receiver, Sender};
use crossterm::event::{self, Event as TermEvent};
use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGTSTP};
use signal_hook::iterator::{Handle, Signals};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Longest wait of crossterm's for a key or a resize; between two, the reader looks whether
/// the terminal is still there.
const TICK: Duration = Duration::from_millis(40);

/// One thing for the loop to handle.
#[derive(Debug)]
pub enum Input {
    /// A key or a resize, as crossterm reads it.
    Term(TermEvent),
    /// SIGTERM, SIGINT or SIGHUP: end as q does.
    Quit,
    /// SIGTSTP: suspend, as Ctrl-Z does.
    Suspend,
    /// SIGCONT: the process was stopped and goes on; the terminal may have been changed
    /// meanwhile (a shell sets its own modes while it has it).
    Continued,
    /// The terminal is gone (its window closed), or reading it failed.
    HungUp,
}

/// The two threads and the channel they send on. Dropping it stops both (the reader within
/// a [`TICK`]) without waiting for them.
pub struct Inputs {
    tx: Sender<Input>,
    rx: Receiver<Input>,
    signals: Handle,
    stop: Arc<AtomicBool>,
}

impl Inputs {
    /// Starts listening for signals. Call it before the terminal is set up, so that a signal
    /// that comes meanwhile is not lost; then [`Inputs::read_terminal`] once it is.
    pub fn listen() -> io::Result<Inputs> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut signals = Signals::new([SIGTERM, SIGINT, SIGHUP, SIGTSTP, SIGCONT])?;
        let handle = signals.handle();
        let to_loop = tx.clone();
        std::thread::Builder::new()
            .name("threadlanes-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    let input = match sig {
                        SIGTSTP => Input::Suspend,
                        SIGCONT => Input::Continued,
                        _ => Input::Quit,
                    };
                    if to_loop.send(input).is_err() {
                        return;
                    }
                }
            })?;
        Ok(Inputs {
            tx,
            rx,
            signals: handle,
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Starts the thread that reads the terminal (in raw mode by now: keys come one by one).
    pub fn read_terminal(&self) -> io::Result<()> {
        let tty = Tty::open()?;
        let (tx, stop) = (self.tx.clone(), self.stop.clone());
        std::thread::Builder::new()
            .name("threadlanes-input".into())
            .spawn(move || read(&tty, &tx, &stop))?;
        Ok(())
    }

    /// The next input, waiting up to `timeout` for one.
    pub fn next(&self, timeout: Duration) -> Option<Input> {
        self.rx.recv_timeout(timeout).ok()
    }
}

impl Drop for Inputs {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.signals.close();
    }
}

/// The terminal crossterm reads: stdin if it is one, else `/dev/tty` (as crossterm chooses).
struct Tty {
    fd: RawFd,
    /// Keeps `/dev/tty` open when it is the one read.
    _file: Option<File>,
}

impl Tty {
    fn open() -> io::Result<Tty> {
        // SAFETY: isatty only looks at the descriptor.
        if unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
            return Ok(Tty {
                fd: libc::STDIN_FILENO,
                _file: None,
            });
        }
        let file = File::open("/dev/tty")?;
        Ok(Tty {
            fd: file.as_raw_fd(),
            _file: Some(file),
        })
    }
}

/// Whether the terminal behind `fd` has hung up: the kernel's poll says so at once.
fn has_hung_up(fd: RawFd) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for a descriptor that stays open while we poll it.
    let ready = unsafe { libc::poll(&mut p, 1, 0) };
    ready > 0 && p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

/// Whether the terminal the TUI reads has hung up (its window closed): then there is
/// nothing to restore, and writing to it fails.
pub fn terminal_gone() -> bool {
    Tty::open().map_or(true, |t| has_hung_up(t.fd))
}

/// The reader thread: hands on what crossterm reads until the terminal hangs up or the
/// loop no longer listens. The terminal is asked whether it is still there before each
/// wait, so a hang-up is seen within a [`TICK`] (crossterm's own wait only sees input).
fn read(tty: &Tty, tx: &Sender<Input>, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        let input = if has_hung_up(tty.fd) {
            Input::HungUp
        } else {
            match event::poll(TICK) {
                Ok(false) => continue,
                Ok(true) => event::read().map_or(Input::HungUp, Input::Term),
                // EIO or ENXIO: the terminal went while crossterm waited.
                Err(_) => Input::HungUp,
            }
        };
        let last = matches!(input, Input::HungUp);
        if tx.send(input).is_err() || last {
            return;
        }
    }
}
