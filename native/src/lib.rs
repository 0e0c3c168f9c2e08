//! `_threadlanes_native`: the traced Python program's hottest path in native code.
//!
//! threadlanes' shim (assets/python/threadlanes_shim.py) wraps every `threading.Lock` and
//! `RLock` so their acquires and releases become events. In pure Python each wrapped
//! acquire or release runs a Python frame of its own, several hundred nanoseconds a round
//! even when the event is a 48-byte record appended to a list. Here the common case (the
//! lock free, the program running free, a thread the shim knows) is a C method: it takes
//! the real lock through its own bound method and appends the record to a buffer, with no
//! Python frame at all. Every other case goes to the shim's Python method of the same name
//! (`_acquire_slow`, `_release_slow`), which knows gates, waits and adoption.
//!
//! The shim reads the records back with [`take`] when it seals a frame (the framing is in
//! threadlanes' docs/wire-format.md, "Internal framing"); the shim's own globals (`_closed`,
//! `_gated`, `_wids`, `_flush`) stay the one source of truth and are read here per call.
//!
//! Everything here runs with the GIL held (abi3 modules do not load into a free-threaded
//! interpreter), which is what orders the buffer's appends with the lock operations.

#![allow(clippy::missing_safety_doc)]

mod around;
mod exit;
mod handled;
mod heap;
mod lock;
mod maker;
mod records;
mod state;

use pyo3_ffi::*;
use std::ptr;

static mut MODULE: PyModuleDef = PyModuleDef {
    m_base: PyModuleDef_HEAD_INIT,
    m_name: c"_threadlanes_native".as_ptr(),
    m_doc: c"threadlanes' native hot path for traced locks".as_ptr(),
    m_size: 0,
    m_methods: ptr::null_mut(),
    m_slots: ptr::null_mut(),
    m_traverse: None,
    m_clear: None,
    m_free: None,
};

static mut METHODS: [PyMethodDef; 7] = [
    PyMethodDef {
        ml_name: c"configure".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: state::configure,
        },
        ml_flags: METH_O,
        ml_doc: c"configure(globals): the shim's module globals, read per call".as_ptr(),
    },
    PyMethodDef {
        ml_name: c"take".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: records::take,
        },
        ml_flags: METH_NOARGS,
        ml_doc: c"take() -> bytes: the records made since the last take, in order".as_ptr(),
    },
    PyMethodDef {
        ml_name: c"around".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: around::around,
        },
        ml_flags: METH_VARARGS,
        ml_doc: c"around(fn, before, after): fn between before() and after(token, result)".as_ptr(),
    },
    PyMethodDef {
        ml_name: c"say_exit".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: exit::say_exit,
        },
        ml_flags: METH_VARARGS,
        ml_doc: c"say_exit(fd, t0, pid) -> bool: the main thread's end said at exit(status)"
            .as_ptr(),
    },
    PyMethodDef {
        ml_name: c"lock_class".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: lock::lock_class,
        },
        ml_flags: METH_O,
        ml_doc: c"lock_class(base) -> type: a class of traced lock".as_ptr(),
    },
    PyMethodDef {
        ml_name: c"set_handled".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: handled::set_handled,
        },
        ml_flags: METH_VARARGS,
        ml_doc: c"set_handled(type, value, tb): what a bare raise raises (before 3.11)".as_ptr(),
    },
    PyMethodDef::zeroed(),
];

/// The module's entry point, found by CPython's import by its name.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyInit__threadlanes_native() -> *mut PyObject {
    unsafe {
        MODULE.m_methods = (&raw mut METHODS).cast();
        let m = PyModule_Create(&raw mut MODULE);
        if m.is_null() {
            return m;
        }
        if !state::init() {
            Py_DECREF(m);
            return ptr::null_mut();
        }
        type MakeType = unsafe fn() -> *mut PyObject;
        let types: [(&std::ffi::CStr, MakeType); 2] = [
            (c"LockCore", lock::make_type),
            (c"LockMaker", maker::make_type),
        ];
        for (name, make) in types {
            let ty = make();
            // AddObject steals the reference only when it succeeds.
            if ty.is_null() || PyModule_AddObject(m, name.as_ptr(), ty) < 0 {
                Py_XDECREF(ty);
                Py_DECREF(m);
                return ptr::null_mut();
            }
        }
        m
    }
}
