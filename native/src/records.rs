//! The records made here, waiting for the shim to seal them into a frame: six
//! little-endian i64 each (t, w, code, o, opid, extra), as the shim's `_REC` packs them.

use pyo3_ffi::*;
use std::cell::UnsafeCell;

/// Bytes of one record.
const RECORD: usize = 48;
/// Records held before the shim is asked to send them (as its `_REC_MAX`).
const MAX: usize = 2048;

/// The buffer. Its lock is the GIL: every push and take runs holding it, and none gives
/// it up midway (no Python code runs inside), so a fork never splits one either.
struct Records(UnsafeCell<Vec<u8>>);

// SAFETY: only touched with the GIL held (above).
unsafe impl Sync for Records {}

static RECS: Records = Records(UnsafeCell::new(Vec::new()));

/// Appends one record; true when the buffer is full and should be sent. The GIL must be
/// held.
pub unsafe fn push(fields: [i64; 6]) -> bool {
    let b = unsafe { &mut *RECS.0.get() };
    if b.capacity() == 0 {
        b.reserve(MAX * RECORD);
    }
    for f in fields {
        b.extend_from_slice(&f.to_le_bytes());
    }
    b.len() >= MAX * RECORD
}

/// `take()`: the records made since the last take, as bytes (empty if none), and the
/// buffer emptied. After a fork the child calls it to drop the parent's.
pub unsafe extern "C" fn take(_m: *mut PyObject, _noargs: *mut PyObject) -> *mut PyObject {
    // SAFETY: called by Python, so with the GIL held.
    let b = unsafe { &mut *RECS.0.get() };
    let r = unsafe { PyBytes_FromStringAndSize(b.as_ptr().cast(), b.len() as Py_ssize_t) };
    if !r.is_null() {
        b.clear(); // kept allocated: the next records go in the same buffer
    }
    r
}

/// Lines of the shim's `_buf` held before it is asked to send them (as its `_emit`).
const LINES_MAX: Py_ssize_t = 512;

/// Appends one event line (`write` writes it, newline included) to the shim's `_buf`, the
/// list its own `_emit` appends to: one list, so the lines keep the order they were made
/// in (the reader numbers objects in the order it reads them). True when the lines should
/// be sent; None with the exception set. The GIL must be held; `write` must not call
/// into Python.
pub unsafe fn say(buf: *mut PyObject, write: impl FnOnce(&mut Vec<u8>)) -> Option<bool> {
    let b = unsafe { &mut *LINE.0.get() };
    b.clear();
    write(b);
    unsafe {
        let line = PyUnicode_FromStringAndSize(b.as_ptr().cast(), b.len() as Py_ssize_t);
        if line.is_null() {
            return None;
        }
        let r = PyList_Append(buf, line);
        Py_DECREF(line);
        (r == 0).then(|| PyList_Size(buf) >= LINES_MAX)
    }
}

/// The line being made (kept allocated between lines).
static LINE: Records = Records(UnsafeCell::new(Vec::new()));
