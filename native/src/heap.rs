//! What the module's two types (`LockCore`, `LockMaker`) share: made from a spec (a heap
//! type, as abi3 requires), their instances allocated and freed through the type's own
//! slots, their member tables.

use pyo3_ffi::*;
use std::ffi::{CStr, c_int, c_ulong, c_void};
use std::ptr;

/// A heap type named `name` (`module.Type`), its instances `basicsize` bytes, with these
/// `slots` (the terminating one is added here).
pub unsafe fn make_type(
    name: &'static CStr,
    basicsize: usize,
    flags: c_ulong,
    slots: &[(c_int, *mut c_void)],
) -> *mut PyObject {
    let mut all: Vec<PyType_Slot> = slots
        .iter()
        .map(|&(slot, pfunc)| PyType_Slot { slot, pfunc })
        .chain([PyType_Slot {
            slot: 0,
            pfunc: ptr::null_mut(),
        }])
        .collect();
    let mut spec = PyType_Spec {
        name: name.as_ptr(),
        basicsize: basicsize as c_int,
        itemsize: 0,
        flags: flags as _,
        slots: all.as_mut_ptr(),
    };
    unsafe { PyType_FromSpec(&mut spec) }
}

/// A new, zeroed instance of `ty` (a subclass's too), or null with the exception set.
pub unsafe fn alloc<T>(ty: *mut PyTypeObject) -> *mut T {
    unsafe {
        let alloc: allocfunc = std::mem::transmute(PyType_GetSlot(ty, Py_tp_alloc));
        alloc(ty, 0).cast()
    }
}

/// Frees `me` (its fields already let go) through its type's slot. A heap type's
/// instances hold a reference to it (a Python subclass's included: subtype_dealloc leaves
/// it to the heap base), given back here.
pub unsafe fn free(me: *mut PyObject) {
    unsafe {
        let ty = Py_TYPE(me);
        let free: freefunc = std::mem::transmute(PyType_GetSlot(ty, Py_tp_free));
        free(me.cast());
        Py_DECREF(ty.cast());
    }
}

/// A read-only member at `offset`.
pub const fn member(name: &'static CStr, type_code: c_int, offset: usize) -> PyMemberDef {
    PyMemberDef {
        name: name.as_ptr(),
        type_code,
        offset: offset as Py_ssize_t,
        flags: Py_READONLY,
        doc: ptr::null(),
    }
}

/// The end of a member table.
pub const MEMBERS_END: PyMemberDef = PyMemberDef {
    name: ptr::null(),
    type_code: 0,
    offset: 0,
    flags: 0,
    doc: ptr::null(),
};
