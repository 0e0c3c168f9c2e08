//! Starting child processes and making sure none outlives us.
//!
//! Every child is this same binary re-run in child mode (`THREADLANES_CHILD`, see `child`),
//! started with `std::process::Command` from ONE long-lived thread: Linux's
//! `PR_SET_PDEATHSIG`, which each child sets on itself, fires when the *thread* that started
//! it ends, so that thread must live as long as the process. Each child leads its own process
//! group, so a kill reaches anything it started too. Three things end a child when we end:
//! the run's stop kills the group (SIGKILL); if threadlanes dies without stopping (SIGKILL,
//! a crash, SIGTERM in headless mode) the kernel sends the child SIGKILL (the death signal);
//! and a child whose stdin reaches EOF exits at once.

use crossbeam_channel::{Sender, bounded, unbounded};
use parking_lot::{Condvar, Mutex};
use std::os::fd::RawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

type Reply = Sender<std::io::Result<Child>>;

/// The thread that starts every child (see the module's note on the death signal).
fn spawner() -> &'static Sender<(Command, Vec<RawFd>, Reply)> {
    static TX: OnceLock<Sender<(Command, Vec<RawFd>, Reply)>> = OnceLock::new();
    TX.get_or_init(|| {
        let (tx, rx) = unbounded::<(Command, Vec<RawFd>, Reply)>();
        std::thread::Builder::new()
            .name("threadlanes-spawner".into())
            .spawn(move || {
                for (mut cmd, fds, reply) in rx {
                    let _ = reply.send(spawn_passing(&mut cmd, &fds));
                }
            })
            .expect("the spawner thread starts");
        tx
    })
}

/// Spawns with `fds` inherited: their close-on-exec flag is cleared only for this spawn (only
/// this thread spawns, so no other child can inherit them by accident).
fn spawn_passing(cmd: &mut Command, fds: &[RawFd]) -> std::io::Result<Child> {
    for &fd in fds {
        // SAFETY: fcntl on a descriptor the caller owns; no memory is touched.
        unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
    }
    let child = cmd.process_group(0).spawn();
    for &fd in fds {
        // SAFETY: as above.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    child
}

/// Starts `cmd` from the spawner thread, the descriptors `fds` passed to the child.
pub(crate) fn start(cmd: Command, fds: Vec<RawFd>) -> std::io::Result<Child> {
    let (tx, rx) = bounded(1);
    spawner()
        .send((cmd, fds, tx))
        .map_err(|_| std::io::Error::other("the spawner thread is gone"))?;
    rx.recv()
        .map_err(|_| std::io::Error::other("the spawner thread is gone"))?
}

/// Set once `child::main_if_child` has been called: this binary can be re-run as a child.
pub(crate) static HAS_CHILD_MODE: AtomicBool = AtomicBool::new(false);

/// The binary to re-run as a child: this one (the image running, see [`running_binary`]),
/// unless `THREADLANES_EXE` names another (a test harness that drives the library
/// in-process has no child mode of its own).
pub(crate) fn exe() -> std::io::Result<std::path::PathBuf> {
    match std::env::var_os("THREADLANES_EXE") {
        Some(p) => Ok(p.into()),
        // Re-running a program without child mode (a test harness, say) would run all of
        // it again, with the same children again inside: refused, with what to do.
        None if !HAS_CHILD_MODE.load(std::sync::atomic::Ordering::SeqCst) => {
            Err(std::io::Error::other(
                "this program has no child mode: call threadlanes::process::child::main_if_child(ROLES) \
                 first thing in main, or set THREADLANES_EXE to the threadlanes binary",
            ))
        }
        None => Ok(running_binary()),
    }
}

/// This very binary: `/proc/self/exe` runs the image this process runs even after its file
/// was replaced or removed (a `cargo build` while threadlanes is open), where its path
/// would start the new build, or nothing at all.
fn running_binary() -> std::path::PathBuf {
    let me = std::path::PathBuf::from("/proc/self/exe");
    if me.exists() {
        me
    } else {
        std::env::current_exe().unwrap_or(me)
    }
}

/// How a child ended, from its exit status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    pub code: Option<i32>,
    pub signal: Option<i32>,
}

impl Ended {
    fn of(s: ExitStatus) -> Ended {
        Ended {
            code: s.code(),
            signal: s.signal(),
        }
    }

    /// "exit status 0", "signal 9 (SIGKILL)".
    pub fn words(&self) -> String {
        match (self.code, self.signal) {
            (Some(c), _) => format!("exit status {c}"),
            (_, Some(s)) => format!("signal {s} ({})", signal_name(s)),
            _ => "ended".into(),
        }
    }
}

pub fn signal_name(s: i32) -> &'static str {
    match s {
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGINT => "SIGINT",
        libc::SIGBUS => "SIGBUS",
        _ => "signal",
    }
}

/// One child process: its pid, whether it has been reaped, and how it ended.
pub(crate) struct ChildProcess {
    pub pid: u32,
    /// Where the parent writes to the child: messages and pause/resume.
    pub stdin: std::sync::Arc<Mutex<std::process::ChildStdin>>,
    ended: Mutex<Option<Ended>>,
    cv: Condvar,
    /// Killed by the run's stop (its lane ends as cancelled, not killed).
    pub cancelled: AtomicBool,
    /// Killed on purpose by the scenario (terminate, kill -9): the signal sent.
    pub sent: Mutex<Option<i32>>,
}

impl ChildProcess {
    pub fn new(pid: u32, stdin: std::sync::Arc<Mutex<std::process::ChildStdin>>) -> ChildProcess {
        ChildProcess {
            pid,
            stdin,
            ended: Mutex::new(None),
            cv: Condvar::new(),
            cancelled: AtomicBool::new(false),
            sent: Mutex::new(None),
        }
    }

    /// Sends `sig` to the child's process group, unless it has been reaped already (its pid
    /// may belong to someone else by then). Returns whether it was sent.
    pub fn signal(&self, sig: i32) -> bool {
        let ended = self.ended.lock();
        if ended.is_some() {
            return false;
        }
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is touched.
        unsafe { libc::kill(-(self.pid as i32), sig) == 0 }
    }

    /// Waits for the child to exit (it stays a zombie), then reaps it under the lock that
    /// `signal` takes, so no signal can reach a recycled pid.
    pub fn reap(&self, child: &mut Child) -> Ended {
        // SAFETY: waitid with WNOWAIT only observes the child's state; `info` is ours.
        unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            while libc::waitid(
                libc::P_PID,
                self.pid,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            ) != 0
                && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
            {
            }
        }
        let mut ended = self.ended.lock();
        let e = match child.wait() {
            Ok(s) => Ended::of(s),
            Err(_) => Ended {
                code: None,
                signal: None,
            },
        };
        *ended = Some(e.clone());
        self.cv.notify_all();
        e
    }

    pub fn ended(&self) -> Option<Ended> {
        self.ended.lock().clone()
    }
}
