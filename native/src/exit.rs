//! `say_exit(fd, t0, pid)`: the process's main thread's end, said when the C library's
//! `exit` runs, with the status it was given.
//!
//! A child process of a traced program ends by returning from its script, by `sys.exit`,
//! by `exit()` or by a `SystemExit` raised by hand (`raise SystemExit(main())`). Only the
//! first two leave a trace the shim can read at `atexit`: the status of the others is a C
//! local of the interpreter's by then, handed to `exit` once it has finalized. glibc's
//! `on_exit` calls its handlers with that status, so the shim, at `atexit`, hands this
//! module a duplicate of its connection and leaves the main thread's end to the handler.
//! `on_exit` is looked up at run time (musl and macOS have none): where it is missing,
//! `say_exit` returns False and the shim says the end itself, as before.

use pyo3_ffi::*;
use std::ffi::{c_int, c_void};
use std::ptr;
use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};

static FD: AtomicI32 = AtomicI32::new(-1);
static T0: AtomicI64 = AtomicI64::new(0);
static PID: AtomicI64 = AtomicI64::new(0);
/// The descriptor's inode when it was handed over: if finalization closed it and the
/// number was reused by a file of the program's, nothing is written into that file.
static INODE: AtomicI64 = AtomicI64::new(-1);

type OnExit = unsafe extern "C" fn(extern "C" fn(c_int, *mut c_void), *mut c_void) -> c_int;

/// `say_exit(fd, t0, pid) -> bool`: True when the end will be said at `exit` (the module
/// then owns `fd` and closes it there); False (fd left to the caller) where it cannot be.
pub unsafe extern "C" fn say_exit(_m: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    unsafe {
        if PyTuple_Size(args) != 3 {
            PyErr_SetString(PyExc_TypeError, c"say_exit(fd, t0, pid)".as_ptr());
            return ptr::null_mut();
        }
        let mut n = [0i64; 3];
        for (i, v) in n.iter_mut().enumerate() {
            *v = PyLong_AsLongLong(PyTuple_GetItem(args, i as Py_ssize_t));
            if *v == -1 && !PyErr_Occurred().is_null() {
                return ptr::null_mut();
            }
        }
        let armed = arm(n[0] as c_int, n[1], n[2]);
        PyBool_FromLong(armed as _)
    }
}

/// Registers [`said_at_exit`] once; false if `on_exit` is missing or refuses.
fn arm(fd: c_int, t0: i64, pid: i64) -> bool {
    if FD.load(Ordering::Relaxed) >= 0 {
        return false; // armed already: one end a process
    }
    // SAFETY: dlsym with RTLD_DEFAULT and a nul-terminated name; the symbol, when found,
    // is glibc's `int on_exit(void (*)(int, void *), void *)`.
    let on_exit = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"on_exit".as_ptr()) };
    if on_exit.is_null() {
        return false;
    }
    let on_exit: OnExit = unsafe { std::mem::transmute(on_exit) };
    let Some(inode) = inode_of(fd) else {
        return false;
    };
    INODE.store(inode, Ordering::Relaxed);
    T0.store(t0, Ordering::Relaxed);
    PID.store(pid, Ordering::Relaxed);
    FD.store(fd, Ordering::Relaxed);
    if unsafe { on_exit(said_at_exit, ptr::null_mut()) } != 0 {
        FD.store(-1, Ordering::Relaxed);
        return false;
    }
    true
}

/// The line a status makes: the main thread (`w` 0) ended well at 0, else with its code.
fn exit_line(t: i64, pid: i64, status: c_int) -> String {
    let code = status & 0xFF;
    let how = if code == 0 {
        r#""how":"ok""#.to_string()
    } else {
        format!(r#""how":"panic","msg":"exit code {code}""#)
    };
    format!("{{\"t\":{t},\"pid\":{pid},\"w\":0,\"op\":\"exit\",{how}}}\n")
}

fn inode_of(fd: c_int) -> Option<i64> {
    // SAFETY: fstat fills a zeroed stat for a descriptor number; a bad one only fails.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    (unsafe { libc::fstat(fd, &mut st) } == 0).then_some(st.st_ino as i64)
}

/// Called by `exit` (after the interpreter has finalized: no Python here).
extern "C" fn said_at_exit(status: c_int, _arg: *mut c_void) {
    let fd = FD.swap(-1, Ordering::Relaxed);
    if fd < 0 || inode_of(fd) != Some(INODE.load(Ordering::Relaxed)) {
        return; // not ours any more: left alone, as the shim leaves a reused descriptor
    }
    let t = crate::state::now(T0.load(Ordering::Relaxed)).max(0);
    let line = exit_line(t, PID.load(Ordering::Relaxed), status);
    let mut rest = line.as_bytes();
    while !rest.is_empty() {
        // SAFETY: writing an owned buffer to a descriptor this module owns.
        let n = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
        if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        if n <= 0 {
            break; // threadlanes is gone: nobody to tell
        }
        rest = &rest[n as usize..];
    }
    // SAFETY: the descriptor was handed over by say_exit and is closed once.
    unsafe { libc::close(fd) };
}

#[cfg(test)]
mod tests {
    use super::exit_line;

    #[test]
    fn a_status_is_its_low_byte() {
        assert_eq!(
            exit_line(5, 42, 0),
            "{\"t\":5,\"pid\":42,\"w\":0,\"op\":\"exit\",\"how\":\"ok\"}\n"
        );
        assert!(exit_line(5, 42, 4).contains(r#""how":"panic","msg":"exit code 4""#));
        assert!(exit_line(5, 42, 256).contains(r#""how":"ok""#));
    }
}
