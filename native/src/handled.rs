//! `set_handled(type, value, tb)`: the exception being handled, as a bare `raise` will
//! raise it again. Before Python 3.11 a bare `raise` re-raises the traceback saved when
//! the `except` block was entered, whose first entry is the wrapper's own frame, whatever
//! `e.__traceback__` says by then; the shim's `_unshim` hands the traceback it trimmed
//! here, so a traceback out of a wrapper has no frame of the tracer's on 3.10 too (3.11
//! keeps the handled exception's traceback on the exception itself).

use pyo3_ffi::*;
use std::ptr;

pub unsafe extern "C" fn set_handled(_m: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    unsafe {
        if PyTuple_Size(args) != 3 {
            PyErr_SetString(PyExc_TypeError, c"set_handled(type, value, tb)".as_ptr());
            return ptr::null_mut();
        }
        let [ty, value, tb] = [0, 1, 2].map(|i| PyTuple_GetItem(args, i));
        // PyErr_SetExcInfo takes the three references over.
        for p in [ty, value, tb] {
            Py_INCREF(p);
        }
        PyErr_SetExcInfo(ty, value, tb);
        Py_INCREF(Py_None());
        Py_None()
    }
}
