//! The private directory of one trace (0700, in the temporary directory): the shim's files
//! and the socket. Made here, and removed by the run that made it (at stop), by the
//! program's shim if threadlanes was killed, or at the latest by the next `trace`, which
//! removes directories whose threadlanes is gone. Knows nothing of what is in it.

use crate::source::clock::monotonic_ns;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

/// The private directory names its threadlanes' pid: `threadlanes-trace-PID-NANOS`.
const DIR_PREFIX: &str = "threadlanes-trace-";

/// A new private directory (0700) for the shim and the socket. Directories of earlier runs
/// whose threadlanes was killed before it could remove them (and whose program did not
/// either) are removed first, if they are ours.
pub(super) fn private_dir() -> std::io::Result<PathBuf> {
    let tmp = std::env::temp_dir();
    remove_stale(&tmp);
    let nanos = monotonic_ns();
    let dir = tmp.join(format!("{DIR_PREFIX}{}-{nanos}", std::process::id()));
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

fn remove_stale(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    // SAFETY: getuid cannot fail.
    let me = unsafe { libc::getuid() };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(DIR_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        let ours = e.metadata().is_ok_and(|m| m.is_dir() && m.uid() == me);
        if ours && !alive(pid) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// True unless no process `pid` exists (one we may not signal exists).
fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only asks whether the process exists.
    pid > 0
        && (unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A killed threadlanes left its directory: the next trace removes it, and leaves alone
    /// the directory of a threadlanes that still runs.
    #[test]
    fn directories_of_a_gone_threadlanes_are_removed_and_live_ones_kept() {
        let root =
            std::env::temp_dir().join(format!("threadlanes-dir-test-{}", std::process::id()));
        std::fs::create_dir_all(&root).expect("a temp dir");
        let mut gone = std::process::Command::new("true")
            .spawn()
            .expect("true runs");
        let dead = gone.id();
        gone.wait().expect("reaped");
        let stale = root.join(format!("{DIR_PREFIX}{dead}-1"));
        let live = root.join(format!("{DIR_PREFIX}{}-2", std::process::id()));
        for d in [&stale, &live] {
            std::fs::create_dir_all(d.join("__pycache__")).expect("made");
        }
        remove_stale(&root);
        assert!(!stale.exists() && live.exists());
        let _ = std::fs::remove_dir_all(&root);
    }
}
