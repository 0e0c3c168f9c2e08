//! `around(fn, before, after)`: `fn` called between `before()` and `after(token, result)`,
//! with no Python frame of its own. For `os.fork` on Python 3.13: its warning about forking
//! a multi-threaded process comes after the at-fork hooks, and names the frame that called
//! `fork`; a Python wrapper would be that frame, so the warning would point into the shim.
//! Called from C, `fork` is called from the program's own frame, as untraced.

use pyo3_ffi::*;
use std::ptr;

static mut FORK: PyMethodDef = PyMethodDef {
    ml_name: c"fork".as_ptr(),
    ml_meth: PyMethodDefPointer {
        PyCFunctionWithKeywords: call,
    },
    ml_flags: METH_VARARGS | METH_KEYWORDS,
    ml_doc: c"Fork a child process.".as_ptr(),
};

/// `around(fn, before, after)`: a builtin function named `fork`, of module `posix`.
pub unsafe extern "C" fn around(_m: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    unsafe {
        if PyTuple_Size(args) != 3 {
            PyErr_SetString(PyExc_TypeError, c"around(fn, before, after)".as_ptr());
            return ptr::null_mut();
        }
        let module = PyUnicode_FromString(c"posix".as_ptr());
        if module.is_null() {
            return module;
        }
        // The function holds `args` (fn, before, after) as its self.
        let f = PyCFunction_NewEx(&raw mut FORK, args, module);
        Py_DECREF(module);
        f
    }
}

unsafe extern "C" fn call(
    me: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    unsafe {
        let item = |i| PyTuple_GetItem(me, i); // borrowed: `me` holds them
        let token = PyObject_CallObject(item(1), ptr::null_mut());
        if token.is_null() {
            return token;
        }
        let r = PyObject_Call(item(0), args, kw);
        let (mut ty, mut value, mut tb) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        if r.is_null() {
            PyErr_Fetch(&mut ty, &mut value, &mut tb);
        }
        let got = if r.is_null() { Py_None() } else { r };
        let done = PyObject_CallFunctionObjArgs(item(2), token, got, ptr::null_mut::<PyObject>());
        Py_DECREF(token);
        if done.is_null() {
            // `after` is the shim's tidying up: its error must not replace fork's outcome.
            PyErr_Clear();
        } else {
            Py_DECREF(done);
        }
        if r.is_null() {
            PyErr_Restore(ty, value, tb);
        }
        r
    }
}
