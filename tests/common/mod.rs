//! The real binary in a pseudo-terminal, shared by the pty tests: keys in, signals, resizes,
//! the screen parsed with a terminal emulator and the raw bytes kept to check the restore.
//! Waits are on what the screen shows (with a generous deadline), never on fixed sleeps.
#![allow(dead_code)] // each test binary uses its own part of this

pub mod app;
pub mod bad_input;
pub mod headless;
pub mod procs;

use portable_pty::{CommandBuilder, ExitStatus, PtySize, native_pty_system};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::FromRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Feeds the program's output to the emulator. vt100 0.16 panics (a subtraction overflow in
/// `Grid::col_wrap`) on a wide character written to a grid narrower than it, which a resize
/// storm produces: a frame drawn for the old size arrives after the emulator took the new one.
/// That is the emulator's fault, not the program's: start a blank screen of the same size, which
/// the program's next frame redraws whole.
fn feed(parser: &Mutex<vt100::Parser>, bytes: &[u8]) {
    let mut p = parser.lock().unwrap();
    let fed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.process(bytes)));
    if fed.is_err() {
        let (rows, cols) = p.screen().size();
        *p = vt100::Parser::new(rows, cols, 0);
    }
}

pub struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Option<Box<dyn Write + Send>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
    pid: u32,
    /// Tells the reader thread to close its end of the pty (for `hang_up`).
    reader_stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
}

pub const DEADLINE: Duration = Duration::from_secs(20);

/// Tests that time the program hold this, so two of them never compete for the two cores.
pub fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

impl Tui {
    pub fn start(args: &[&str], cols: u16, rows: u16) -> Tui {
        Tui::start_with_env(args, cols, rows, &[])
    }

    pub fn start_with_env(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Tui {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_threadlanes"));
        cmd.args(args);
        Tui::spawn(cmd, cols, rows, env)
    }

    /// As [`Tui::start_with_env`], with the program's stderr written to `stderr` instead of
    /// the terminal: what it says after the terminal has gone is kept. (A shell sets the
    /// redirection up and gives its process to the program: the pid is the program's.)
    pub fn start_with_stderr(
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
        stderr: &std::path::Path,
    ) -> Tui {
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", "exec \"$0\" \"$@\" 2>\"$THREADLANES_TEST_STDERR\""]);
        cmd.arg(env!("CARGO_BIN_EXE_threadlanes"));
        cmd.args(args);
        cmd.env("THREADLANES_TEST_STDERR", stderr);
        Tui::spawn(cmd, cols, rows, env)
    }

    fn spawn(mut cmd: CommandBuilder, cols: u16, rows: u16, env: &[(&str, &str)]) -> Tui {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty opens");
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("the binary starts");
        drop(pair.slave);
        let pid = child.process_id().expect("a pid");
        // Our own descriptor of the master, polled so the thread can be told to close it:
        // the terminal hangs up only once every descriptor of the master is closed.
        let fd = pair.master.as_raw_fd().expect("a unix pty");
        // SAFETY: dup of an open descriptor; the File below owns the copy.
        let fd = unsafe { libc::dup(fd) };
        assert!(fd >= 0, "dup of the pty master");
        // SAFETY: fd is a fresh descriptor nothing else owns.
        let mut reader = unsafe { File::from_raw_fd(fd) };
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let reader_stop = Arc::new(AtomicBool::new(false));
        let (p, r, stop) = (parser.clone(), raw.clone(), reader_stop.clone());
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !stop.load(Ordering::SeqCst) {
                let mut pfd = libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd for an open descriptor.
                if unsafe { libc::poll(&mut pfd, 1, 20) } <= 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(n) if n > 0 => {
                        feed(&p, &buf[..n]);
                        r.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                    _ => break, // the program closed the terminal (it exited)
                }
            }
        });
        Tui {
            parser,
            raw,
            writer: Some(writer),
            child,
            master: Some(pair.master),
            pid,
            reader_stop,
            reader: Some(reader),
        }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Everything the program wrote so far, as text.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    pub fn wait_for(&self, what: &str) -> String {
        self.wait_until(&format!("{what:?}"), |s| s.contains(what))
    }

    /// Waits until the screen satisfies `ok`; `what` names the condition for the failure.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "screen never showed {what}; it shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the program's output (not only the screen) contains `what`.
    pub fn wait_output(&self, what: &str) {
        let start = Instant::now();
        while !self.output().contains(what) {
            assert!(
                start.elapsed() < DEADLINE,
                "the program never wrote {what:?}; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn keys(&mut self, k: &str) {
        let w = self.writer.as_mut().expect("the terminal is open");
        w.write_all(k.as_bytes()).unwrap();
        w.flush().unwrap();
    }

    /// Closes the terminal, as when its window is closed: every descriptor of the master
    /// goes, the program's terminal hangs up and it gets SIGHUP.
    pub fn hang_up(&mut self) {
        self.reader_stop.store(true, Ordering::SeqCst);
        if let Some(r) = self.reader.take() {
            r.join().expect("the reader thread ends");
        }
        self.writer = None;
        self.master = None;
    }

    /// Closes the terminal and checks what a hang-up promises (issue 19): the program exits
    /// within `budget` (a hang-up is not a clean quit, so its status aside), every one of
    /// `pids` goes with it, and its stderr (written to `stderr`) complains of nothing, such
    /// as a terminal it could not restore. Prints how long the exit took.
    pub fn assert_hang_up_ends_all(
        &mut self,
        pids: &[u32],
        stderr: &std::path::Path,
        budget: Duration,
    ) {
        self.hang_up();
        let (took, _) = self.wait_exit_status();
        let left = procs::wait_gone(pids, Duration::from_millis(200));
        procs::kill_all(&left);
        eprintln!("after the hang-up the program exited in {took:?}");
        assert!(took < budget, "exit took {took:?} after the hang-up");
        self.assert_gone();
        assert!(left.is_empty(), "still running: {left:?} of {pids:?}");
        let said = std::fs::read_to_string(stderr).unwrap_or_default();
        assert!(
            !said.contains("Failed to") && !said.contains("panicked"),
            "stderr: {said}"
        );
    }

    /// Resizes the terminal, as a window manager does: the program gets SIGWINCH.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .as_ref()
            .expect("the terminal is open")
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("the pty resizes");
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(rows, cols);
    }

    /// Waits for the process to exit successfully; returns how long it took.
    pub fn wait_exit(&mut self) -> Duration {
        let (took, status) = self.wait_exit_status();
        assert!(status.success(), "exit status {status:?}");
        took
    }

    /// Waits for the process to exit, however it ends; returns how long it took and how.
    pub fn wait_exit_status(&mut self) -> (Duration, ExitStatus) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (start.elapsed(), status);
            }
            assert!(start.elapsed() < DEADLINE, "the program did not exit");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Sends `k` and asserts the process is gone (every thread with it) within `budget`.
    pub fn quit_within(&mut self, k: &str, budget: Duration) {
        let start = Instant::now();
        self.keys(k);
        let (_, status) = self.wait_exit_status();
        let took = start.elapsed();
        assert!(status.success(), "exit status {status:?}");
        eprintln!("quit with {k:?} took {took:?}");
        assert!(took < budget, "quit took {took:?} (budget {budget:?})");
        self.assert_gone();
    }

    /// No thread of the program remains: the process (reaped) no longer exists.
    pub fn assert_gone(&self) {
        let proc = format!("/proc/{}/task", self.pid);
        assert!(
            !std::path::Path::new(&proc).exists(),
            "{proc} still exists after the exit"
        );
    }

    /// Number of threads of the running program (from /proc).
    pub fn threads(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/task", self.pid))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// The terminal is back: alternate screen left and cursor shown after the last entry.
    pub fn assert_restored(&self) {
        let start = Instant::now();
        loop {
            let text = self.output();
            let entered = text.rfind("\x1b[?1049h");
            let left = text.rfind("\x1b[?1049l");
            let shown = text.rfind("\x1b[?25h");
            if let (Some(e), Some(l), Some(c)) = (entered, left, shown)
                && l > e
                && c > e
            {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "terminal not restored: {entered:?} {left:?} {shown:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The terminal's line modes (ICANON, ECHO, …) as the program left them.
    fn line_modes(&self) -> libc::tcflag_t {
        let master = self.master.as_ref().expect("the terminal is open");
        let fd = master.as_raw_fd().expect("a unix pty");
        // SAFETY: termios is plain data; all zeroes is a valid value to be overwritten.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is the open master of our pty; t is a valid termios to fill.
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0);
        t.c_lflag
    }

    /// Raw mode is on: keys come one by one, unechoed.
    pub fn assert_raw(&self) {
        let modes = self.line_modes();
        assert!(modes & libc::ICANON == 0, "ICANON is on: not in raw mode");
        assert!(modes & libc::ECHO == 0, "ECHO is on: not in raw mode");
    }

    /// Raw mode is off again: the line discipline echoes and edits lines.
    pub fn assert_cooked(&self) {
        let t = libc::termios {
            c_lflag: self.line_modes(),
            // SAFETY: termios is plain data; all zeroes is a valid value.
            ..unsafe { std::mem::zeroed() }
        };
        assert!(
            t.c_lflag & libc::ICANON != 0,
            "ICANON is off: still in raw mode"
        );
        assert!(
            t.c_lflag & libc::ECHO != 0,
            "ECHO is off: still in raw mode"
        );
    }

    /// All three: exited cleanly or not, the terminal is as the program found it.
    pub fn assert_terminal_back(&self) {
        self.assert_restored();
        self.assert_cooked();
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(self.pid as i32, sig) }, 0);
    }
}

impl Drop for Tui {
    /// A failed test leaves no program behind.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
