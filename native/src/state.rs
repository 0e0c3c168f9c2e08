//! What the hot path reads of the shim: its globals (set once by `configure`), the names
//! it looks up in them (interned once), and the few constant objects it calls with.

use pyo3_ffi::*;
use std::cell::UnsafeCell;
use std::ptr;

/// Objects shared by every call. Only touched with the GIL held, which is the lock.
pub struct Shared {
    /// The shim's module globals (None until `configure`).
    pub globals: *mut PyObject,
    /// `_wids`: thread ident -> worker id (None for a thread the shim hides).
    pub wids: *mut PyObject,
    /// `_T0`: the program's time zero, in monotonic ns.
    pub t0: i64,
    pub closed: *mut PyObject,
    pub gated: *mut PyObject,
    pub flush: *mut PyObject,
    pub acquire_slow: *mut PyObject,
    pub release_slow: *mut PyObject,
    pub acquire: *mut PyObject,
    pub release: *mut PyObject,
    pub recursion_count: *mut PyObject,
    pub reentrant: *mut PyObject,
    /// The shim's `_names` (a name's base -> how many objects have it), `_next_o` (the
    /// object ids' counter), `_pid` (this process, also after a fork), `_lock_site`.
    pub names: *mut PyObject,
    pub next_o: *mut PyObject,
    pub pid: *mut PyObject,
    pub lock_site: *mut PyObject,
    pub f_lasti: *mut PyObject,
    pub buf: *mut PyObject,
    pub no_args: *mut PyObject,
    /// `(False,)`: the fast path's non-blocking try of the real lock.
    pub try_args: *mut PyObject,
}

pub struct GilCell(UnsafeCell<Shared>);

// SAFETY: read and written only with the GIL held (see the crate's docs).
unsafe impl Sync for GilCell {}

pub static SHARED: GilCell = GilCell(UnsafeCell::new(Shared {
    globals: ptr::null_mut(),
    wids: ptr::null_mut(),
    t0: 0,
    closed: ptr::null_mut(),
    gated: ptr::null_mut(),
    flush: ptr::null_mut(),
    acquire_slow: ptr::null_mut(),
    release_slow: ptr::null_mut(),
    acquire: ptr::null_mut(),
    release: ptr::null_mut(),
    recursion_count: ptr::null_mut(),
    reentrant: ptr::null_mut(),
    names: ptr::null_mut(),
    next_o: ptr::null_mut(),
    pid: ptr::null_mut(),
    lock_site: ptr::null_mut(),
    f_lasti: ptr::null_mut(),
    buf: ptr::null_mut(),
    no_args: ptr::null_mut(),
    try_args: ptr::null_mut(),
}));

/// The shared objects. The GIL must be held.
pub unsafe fn shared() -> &'static mut Shared {
    unsafe { &mut *SHARED.0.get() }
}

/// Interns the names and makes the argument tuples; false with an exception set.
pub unsafe fn init() -> bool {
    unsafe {
        let s = shared();
        let names: [(&mut *mut PyObject, &std::ffi::CStr); 15] = [
            (&mut s.closed, c"_closed"),
            (&mut s.gated, c"_gated"),
            (&mut s.flush, c"_flush"),
            (&mut s.acquire_slow, c"_acquire_slow"),
            (&mut s.release_slow, c"_release_slow"),
            (&mut s.acquire, c"acquire"),
            (&mut s.release, c"release"),
            (&mut s.recursion_count, c"_recursion_count"),
            (&mut s.reentrant, c"_reentrant"),
            (&mut s.names, c"_names"),
            (&mut s.next_o, c"_next_o"),
            (&mut s.pid, c"_pid"),
            (&mut s.lock_site, c"_lock_site"),
            (&mut s.f_lasti, c"f_lasti"),
            (&mut s.buf, c"_buf"),
        ];
        for (slot, name) in names {
            *slot = PyUnicode_InternFromString(name.as_ptr());
            if slot.is_null() {
                return false;
            }
        }
        s.no_args = PyTuple_New(0);
        s.try_args = PyTuple_New(1);
        if s.no_args.is_null() || s.try_args.is_null() {
            return false;
        }
        Py_INCREF(Py_False());
        PyTuple_SetItem(s.try_args, 0, Py_False()) == 0
    }
}

/// `configure(globals)`: the shim's module globals. Until it is called every lock goes
/// the slow (Python) way.
pub unsafe extern "C" fn configure(_m: *mut PyObject, g: *mut PyObject) -> *mut PyObject {
    unsafe {
        if PyDict_Check(g) == 0 {
            PyErr_SetString(
                PyExc_TypeError,
                c"configure takes the shim's globals".as_ptr(),
            );
            return ptr::null_mut();
        }
        let wids = PyDict_GetItemString(g, c"_wids".as_ptr());
        let t0 = PyDict_GetItemString(g, c"_T0".as_ptr());
        if wids.is_null() || PyDict_Check(wids) == 0 || t0.is_null() {
            PyErr_SetString(
                PyExc_TypeError,
                c"the shim's globals lack _wids or _T0".as_ptr(),
            );
            return ptr::null_mut();
        }
        let t0 = PyLong_AsLongLong(t0);
        if t0 == -1 && !PyErr_Occurred().is_null() {
            return ptr::null_mut();
        }
        let s = shared();
        Py_INCREF(g);
        Py_INCREF(wids);
        Py_XDECREF(s.globals);
        Py_XDECREF(s.wids);
        s.globals = g;
        s.wids = wids;
        s.t0 = t0;
        Py_INCREF(Py_None());
        Py_None()
    }
}

/// True if the shim's global `name` is True (a missing one reads as false).
unsafe fn flag(g: *mut PyObject, name: *mut PyObject) -> bool {
    unsafe { PyDict_GetItem(g, name) == Py_True() }
}

/// The calling thread's worker id, if the fast path may record for it: configured, tracing
/// on, no gate, and a thread the shim knows and shows. Anything else is the slow path's.
pub unsafe fn fast_worker() -> Option<i64> {
    unsafe {
        let s = shared();
        if s.globals.is_null() || flag(s.globals, s.closed) || flag(s.globals, s.gated) {
            return None;
        }
        let key = ident_key()?;
        let w = PyDict_GetItem(s.wids, key); // borrowed
        if w.is_null() || w == Py_None() || PyLong_Check(w) == 0 {
            return None;
        }
        let w = PyLong_AsLongLong(w);
        if w < 0 {
            PyErr_Clear();
            return None;
        }
        Some(w)
    }
}

thread_local! {
    /// The calling thread's ident as a Python int, made once per thread: the key of
    /// `_wids`. One small int per thread is never freed (a thread's end has no GIL to
    /// free it with); a forked child's thread keeps its ident, so the key stays right.
    static IDENT: std::cell::Cell<*mut PyObject> = const { std::cell::Cell::new(ptr::null_mut()) };
}

/// The calling thread's ident key (borrowed), or None with no exception set.
unsafe fn ident_key() -> Option<*mut PyObject> {
    IDENT.with(|k| {
        if k.get().is_null() {
            let key = unsafe { PyLong_FromUnsignedLong(PyThread_get_thread_ident()) };
            if key.is_null() {
                unsafe { PyErr_Clear() };
                return None;
            }
            k.set(key);
        }
        Some(k.get())
    })
}

/// The program's time now: monotonic ns since `_T0` (time.monotonic_ns's clock).
pub fn now(t0: i64) -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to fill; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec * 1_000_000_000 + ts.tv_nsec - t0
}

/// The shim's global `name` (borrowed), or None with no exception set.
pub unsafe fn global(name: *mut PyObject) -> Option<*mut PyObject> {
    unsafe {
        let g = shared().globals;
        if g.is_null() {
            return None;
        }
        let v = PyDict_GetItem(g, name);
        (!v.is_null()).then_some(v)
    }
}

/// Calls the shim's `_flush()` (records are full); an error it raises is the caller's.
pub unsafe fn flush() -> bool {
    unsafe {
        let s = shared();
        let f = PyDict_GetItem(s.globals, s.flush);
        if f.is_null() {
            return true;
        }
        let r = PyObject_CallNoArgs(f);
        if r.is_null() {
            return false;
        }
        Py_DECREF(r);
        true
    }
}

/// A str's UTF-8, or None (not a str, or not encodable) with no exception set.
pub unsafe fn str_of(s: *mut PyObject) -> Option<&'static str> {
    unsafe {
        if PyUnicode_Check(s) == 0 {
            return None;
        }
        let mut n: Py_ssize_t = 0;
        let p = PyUnicode_AsUTF8AndSize(s, &mut n);
        if p.is_null() {
            PyErr_Clear();
            return None;
        }
        std::str::from_utf8(std::slice::from_raw_parts(p.cast(), n as usize)).ok()
    }
}
