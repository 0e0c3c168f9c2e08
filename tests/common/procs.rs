//! Processes as /proc shows them, for the tests that check nothing is left running or that
//! a process is stopped: a process's state letter, its children, whether it is gone; and a
//! child whose stdout is closed after its first line (`| head -1`).

use std::time::{Duration, Instant};

/// The state letter of process `pid` (R, S, T for stopped, Z for a zombie…), if it exists.
pub fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ppid …": the command may hold spaces and parentheses; the state comes
    // after the last ')'.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// The parent of process `pid`, if it exists.
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The processes whose parent is `pid`.
pub fn children(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| parent(p) == Some(pid))
        .collect()
}

/// Whether `pid` no longer runs: it has gone, or is a zombie nobody has reaped yet.
pub fn gone(pid: u32) -> bool {
    matches!(state(pid), None | Some('Z'))
}

/// Waits up to `within` for every one of `pids` to be gone; returns those still running.
pub fn wait_gone(pids: &[u32], within: Duration) -> Vec<u32> {
    let start = Instant::now();
    loop {
        let left: Vec<u32> = pids.iter().copied().filter(|&p| !gone(p)).collect();
        if left.is_empty() || start.elapsed() >= within {
            return left;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits up to `within` for process `pid` to be in state `want`; true if it came to be.
pub fn wait_state(pid: u32, want: char, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if state(pid) == Some(want) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

/// Kills whatever of `pids` still runs (a failed test leaves nothing behind).
pub fn kill_all(pids: &[u32]) {
    for &p in pids {
        if !gone(p) {
            // SAFETY: a signal to a process this test started.
            unsafe { libc::kill(p as i32, libc::SIGKILL) };
        }
    }
}

/// Reads the first line of `child`'s stdout, then closes it (as `| head -1` does) and waits
/// for the child to end, failing the test if it runs on for 10 s: the line, how it ended,
/// and how long that took after the close.
pub fn first_line_then_close(
    child: &mut std::process::Child,
) -> (String, std::process::ExitStatus, Duration) {
    use std::io::{BufRead, BufReader};
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("a pipe"))
        .read_line(&mut first)
        .expect("a line");
    // The reader is dropped here: stdout is closed.
    let closed = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("waits") {
            return (first, s, closed.elapsed());
        }
        if closed.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("still running 10 s after its stdout closed");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
