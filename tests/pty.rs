//! The real binary in a pseudo-terminal: keys in, screen parsed with a terminal emulator.
//! Waits are on what the screen shows (with a generous deadline), never on fixed sleeps.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

const DEADLINE: Duration = Duration::from_secs(20);

impl Tui {
    fn start(args: &[&str], cols: u16, rows: u16) -> Tui {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty opens");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_threadlanes"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        let child = pair.slave.spawn_command(cmd).expect("the binary starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Tui {
            parser,
            raw,
            writer,
            child,
            _master: pair.master,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "screen never showed {what:?}; it shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn keys(&mut self, k: &str) {
        self.writer.write_all(k.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the process to exit; returns how long it took.
    fn wait_exit(&mut self) -> Duration {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status:?}");
                return start.elapsed();
            }
            assert!(start.elapsed() < DEADLINE, "the program did not exit");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The terminal is back: alternate screen left and cursor shown after the last entry.
    fn assert_restored(&self) {
        let start = Instant::now();
        loop {
            let raw = self.raw.lock().unwrap().clone();
            let text = String::from_utf8_lossy(&raw);
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

    /// Raw mode is off again: the line discipline echoes and edits lines.
    fn assert_cooked(&self) {
        let fd = self._master.as_raw_fd().expect("a unix pty");
        // SAFETY: termios is plain data; all zeroes is a valid value to be overwritten.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is the open master of our pty; t is a valid termios to fill.
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0);
        assert!(
            t.c_lflag & libc::ICANON != 0,
            "ICANON is off: still in raw mode"
        );
        assert!(
            t.c_lflag & libc::ECHO != 0,
            "ECHO is off: still in raw mode"
        );
    }

    fn signal(&self, sig: i32) {
        let pid = self.child.process_id().expect("a pid") as i32;
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }
}

#[test]
fn lanes_and_objects_appear_and_keys_work() {
    let mut t = Tui::start(&["run", "producer-consumer"], 120, 36);
    t.wait_for("producer-1");
    t.wait_for("consumer-2");
    t.wait_for("queue products");
    t.keys(" ");
    t.wait_for("paused");
    // Paused: the screen holds still.
    let a = t.screen();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(a, t.screen(), "a paused screen does not move");
    t.keys(" ");
    t.wait_for("running");
    t.keys("+");
    t.wait_for("×2");
    t.keys("n");
    t.wait_for("threadlanes · thread-pool");
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
    t.assert_cooked();
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for sig in [libc::SIGTERM, libc::SIGHUP] {
        let mut t = Tui::start(&["run", "semaphore"], 100, 30);
        t.wait_for("slots");
        t.signal(sig);
        t.wait_exit();
        t.assert_restored();
        t.assert_cooked();
    }
}

#[test]
fn the_picker_starts_a_scenario() {
    let mut t = Tui::start(&[], 100, 30);
    t.wait_for("▸ join");
    for _ in 0..30 {
        if t.screen().contains("▸ race") {
            break;
        }
        t.keys("\x1b[B"); // down
        std::thread::sleep(Duration::from_millis(30));
    }
    t.wait_for("▸ race");
    t.keys("\r");
    t.wait_for("threadlanes · race");
    t.wait_for("value balance");
    t.keys("\x03"); // Ctrl-C
    t.wait_exit();
    t.assert_restored();
}

#[test]
fn quit_in_a_deadlock_is_prompt() {
    let mut t = Tui::start(&["run", "deadlock"], 100, 30);
    t.wait_for("DEADLOCK");
    t.keys("q");
    let took = t.wait_exit();
    assert!(took < Duration::from_millis(500), "quit took {took:?}");
    t.assert_restored();
}

#[test]
fn a_terminal_too_small_says_so() {
    let mut t = Tui::start(&["run", "lock"], 60, 20);
    t.wait_for("too small");
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
}
