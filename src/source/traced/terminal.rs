//! The terminal, for a program traced headless on it: its process group (threadlanes makes
//! it one, to end it whole) is put in the terminal's foreground while it runs, as it would be
//! untraced, so `input()` reads the keyboard (a background group reading it is stopped by
//! SIGTTIN) and Ctrl-C reaches it. threadlanes takes the terminal back when it ends.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// stdin is a terminal and threadlanes' process group has it (not run in the background).
pub fn ours() -> bool {
    // SAFETY: isatty, tcgetpgrp and getpgrp only read.
    unsafe { libc::isatty(0) == 1 && libc::tcgetpgrp(0) == libc::getpgrp() }
}

/// The program's process group takes the terminal as it starts (before it execs).
pub fn hand_to(cmd: &mut Command) {
    // SAFETY: the closure runs in the child between fork and exec and calls only
    // async-signal-safe functions (sigprocmask, tcsetpgrp, getpgrp); std sets the process
    // group before it runs.
    unsafe {
        cmd.pre_exec(|| {
            to_group(libc::getpgrp());
            Ok(())
        });
    }
}

/// threadlanes' own process group takes the terminal back.
pub fn take_back() {
    // SAFETY: getpgrp only reads.
    to_group(unsafe { libc::getpgrp() });
}

/// Makes `pgrp` the terminal's foreground group. From a background group that sends
/// SIGTTOU to the caller, which would stop it: the signal is blocked meanwhile (in this
/// thread only; the mask is per thread).
fn to_group(pgrp: libc::pid_t) {
    // SAFETY: sigset_t is plain data, filled by sigemptyset; the old mask is restored.
    unsafe {
        let mut block: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut block);
        libc::sigaddset(&mut block, libc::SIGTTOU);
        libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut old);
        libc::tcsetpgrp(0, pgrp);
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
    }
}
