//! `LockCore`, and the final classes `lock_class()` makes from the same slots, which the
//! shim's `_TracedLock` and `_TracedRLock` methods are set on. It holds the real lock and
//! the object's id, and does a free lock's acquire and a release with a record and no
//! Python frame. Whatever it does not do itself (a lock that is taken, a gate, a thread the
//! shim has not adopted, tracing over, arguments other than the default) it hands to the
//! class's `_acquire_slow(*args, **kwargs)` or `_release_slow()`.

use crate::heap::{self, MEMBERS_END, member};
use crate::records;
use crate::state::{self, shared};
use pyo3_ffi::*;
use std::ffi::{c_int, c_void};
use std::mem::offset_of;
use std::ptr;

/// Record codes (the shim's `_ACQUIRED`, `_RELEASE`).
const ACQUIRED: i64 = 5;
const RELEASE: i64 = 4;

#[repr(C)]
struct Core {
    ob_base: PyObject,
    /// The real lock (`_l`), its id fragment (`_j`, a str or None), (o, opid) or None (`_k`).
    /// `j` and `k` are made when first read where the lock was made by the native factory
    /// (null until then): most locks never go the slow path that reads them.
    raw: *mut PyObject,
    j: *mut PyObject,
    k: *mut PyObject,
    weaklist: *mut PyObject,
    /// The real lock's bound `acquire` and `release`, made at the first fast call (a lock
    /// made and never used costs no bound methods; one used often calls them directly).
    acquire: *mut PyObject,
    release: *mut PyObject,
    o: i64,
    opid: i64,
    /// False: no id to record under (`_k` None), every call is the slow path's.
    fast: bool,
    /// An RLock: its records carry the real lock's `_recursion_count()`.
    reentrant: bool,
}

/// Reads `"o":3,"opid":4242` (the shim's `_key`).
fn parse_key(j: &str) -> Option<(i64, i64)> {
    let (o, opid) = j.split_once(',')?;
    let o = o.strip_prefix("\"o\":")?.parse().ok()?;
    let opid = opid.strip_prefix("\"opid\":")?.parse().ok()?;
    Some((o, opid))
}

/// `LockCore(raw, j)`; with no arguments (the program's subclass of a traced RLock's
/// class, made as it makes an RLock) a real lock from the class's `_real`, untraced.
unsafe extern "C" fn new(
    ty: *mut PyTypeObject,
    args: *mut PyObject,
    _kw: *mut PyObject,
) -> *mut PyObject {
    unsafe {
        let (raw, j, made) = match PyTuple_Size(args) {
            2 => (PyTuple_GetItem(args, 0), PyTuple_GetItem(args, 1), None),
            0 => {
                let Some(raw) = real_lock(ty) else {
                    return ptr::null_mut();
                };
                (raw, Py_None(), Some(raw))
            }
            _ => {
                PyErr_SetString(PyExc_TypeError, c"LockCore(raw, j)".as_ptr());
                return ptr::null_mut();
            }
        };
        // `made` is ours: the instance takes its own reference below.
        let _give_back = made.map(Owned);
        let me: *mut Core = heap::alloc(ty);
        if me.is_null() {
            return ptr::null_mut();
        }
        let c = &mut *me;
        Py_INCREF(raw);
        Py_INCREF(j);
        hide_from_gc(raw);
        c.raw = raw;
        c.j = j;
        let reentrant = PyObject_GetAttr(ty.cast(), shared().reentrant);
        let reentrant = if reentrant.is_null() {
            PyErr_Clear();
            false
        } else {
            let r = PyObject_IsTrue(reentrant) == 1;
            Py_DECREF(reentrant);
            r
        };
        c.reentrant = reentrant;
        let key = state::str_of(j).and_then(parse_key);
        // An RLock without _recursion_count (Python's own, before 3.11): the slow path's.
        let counts = !reentrant || PyObject_HasAttr(raw, shared().recursion_count) == 1;
        c.fast = key.is_some() && counts;
        let (o, opid) = key.unwrap_or((0, 0));
        c.o = o;
        c.opid = opid;
        c.k = if key.is_some() {
            let t = pair(o, opid);
            if t.is_null() {
                Py_DECREF(me.cast());
                return ptr::null_mut();
            }
            t
        } else {
            Py_INCREF(Py_None());
            Py_None()
        };
        me.cast()
    }
}

/// A new reference dropped at the end of its scope.
struct Owned(*mut PyObject);

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: a reference this function was given and gives back once, GIL held.
        unsafe { Py_DECREF(self.0) };
    }
}

/// A real lock made by the class's `_real` (a new reference), or None with the exception
/// set.
unsafe fn real_lock(ty: *mut PyTypeObject) -> Option<*mut PyObject> {
    unsafe {
        let real = PyObject_GetAttrString(ty.cast(), c"_real".as_ptr());
        if real.is_null() {
            return None;
        }
        let raw = PyObject_CallNoArgs(real);
        Py_DECREF(real);
        (!raw.is_null()).then_some(raw)
    }
}

unsafe extern "C" fn dealloc(me: *mut PyObject) {
    unsafe {
        let c = &mut *(me as *mut Core);
        if !c.weaklist.is_null() {
            PyObject_ClearWeakRefs(me);
        }
        for p in [c.raw, c.j, c.k, c.acquire, c.release] {
            Py_XDECREF(p);
        }
        heap::free(me);
    }
}

/// A call of the real lock's method `name` with no arguments (looked up each time: only an
/// RLock's count is read this way); None with the exception set if it raised.
unsafe fn call(c: &Core, name: *mut PyObject) -> Option<*mut PyObject> {
    let r = unsafe { PyObject_CallMethodObjArgs(c.raw, name, ptr::null_mut::<PyObject>()) };
    (!r.is_null()).then_some(r)
}

/// A call of the bound method in `slot` (looked up as `name` the first time); None with
/// the exception set if it raised.
unsafe fn call_bound(
    raw: *mut PyObject,
    slot: &mut *mut PyObject,
    name: *mut PyObject,
    args: *mut PyObject,
) -> Option<*mut PyObject> {
    unsafe {
        if (*slot).is_null() {
            *slot = PyObject_GetAttr(raw, name);
            if (*slot).is_null() {
                return None;
            }
        }
        let r = PyObject_Call(*slot, args, ptr::null_mut());
        (!r.is_null()).then_some(r)
    }
}

/// An RLock's recursion count now (0 for a Lock); None with the exception set.
unsafe fn depth(c: &Core) -> Option<i64> {
    if !c.reentrant {
        return Some(0);
    }
    unsafe {
        let r = call(c, shared().recursion_count)?;
        let n = PyLong_AsLongLong(r);
        Py_DECREF(r);
        if n == -1 && !PyErr_Occurred().is_null() {
            return None;
        }
        Some(n)
    }
}

/// Appends a record, and sends them when full. Null with the exception set if the send
/// raised, else `ok` (a new reference).
unsafe fn record(
    c: &Core,
    t: i64,
    w: i64,
    code: i64,
    extra: i64,
    ok: *mut PyObject,
) -> *mut PyObject {
    unsafe {
        if records::push([t, w, code, c.o, c.opid, extra]) && !state::flush() {
            return ptr::null_mut();
        }
        Py_INCREF(ok);
        ok
    }
}

/// The free lock taken at once: its record (one ACQUIRED, `t` after the take). Some(null)
/// with an exception set; None when this is not the fast path's (nothing done).
unsafe fn try_acquire(c: &mut Core) -> Option<*mut PyObject> {
    unsafe {
        if !c.fast {
            return None;
        }
        let w = state::fast_worker()?;
        let s = shared();
        let Some(r) = call_bound(c.raw, &mut c.acquire, s.acquire, s.try_args) else {
            return Some(ptr::null_mut());
        };
        let got = r == Py_True();
        Py_DECREF(r);
        if !got {
            return None; // taken: the slow path says it waits, sends, and waits
        }
        let extra = match depth(c) {
            Some(d) if c.reentrant => d + 1,
            Some(_) => 0,
            None => return Some(ptr::null_mut()),
        };
        Some(record(c, state::now(s.t0), w, ACQUIRED, extra, Py_True()))
    }
}

/// `self._acquire_slow(*args, **kwargs)`: the call forwarded as it came.
unsafe fn acquire_slow(
    me: *mut PyObject,
    args: *const *mut PyObject,
    n: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    unsafe {
        let nkw = if kwnames.is_null() {
            0
        } else {
            PyTuple_Size(kwnames) as usize
        };
        let pos = PyTuple_New((n - nkw) as Py_ssize_t);
        if pos.is_null() {
            return ptr::null_mut();
        }
        for i in 0..n - nkw {
            Py_INCREF(*args.add(i));
            PyTuple_SetItem(pos, i as Py_ssize_t, *args.add(i));
        }
        let mut kw = ptr::null_mut();
        if nkw > 0 {
            kw = PyDict_New();
            for i in 0..nkw {
                if kw.is_null()
                    || PyDict_SetItem(
                        kw,
                        PyTuple_GetItem(kwnames, i as Py_ssize_t),
                        *args.add(n - nkw + i),
                    ) < 0
                {
                    Py_XDECREF(kw);
                    Py_DECREF(pos);
                    return ptr::null_mut();
                }
            }
        }
        let f = PyObject_GetAttr(me, shared().acquire_slow);
        let r = if f.is_null() {
            f
        } else {
            PyObject_Call(f, pos, kw)
        };
        Py_XDECREF(f);
        Py_XDECREF(kw);
        Py_DECREF(pos);
        r
    }
}

/// `acquire(blocking=True, timeout=-1)`: the fast path for `acquire()` and `acquire(True)`.
unsafe extern "C" fn acquire(
    me: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    unsafe {
        let n = nargs as usize; // METH_FASTCALL: a plain count (no vectorcall offset flag)
        let default = kwnames.is_null() && (n == 0 || (n == 1 && *args == Py_True()));
        if default && let Some(r) = try_acquire(&mut *(me as *mut Core)) {
            return r;
        }
        let nkw = if kwnames.is_null() {
            0
        } else {
            PyTuple_Size(kwnames) as usize
        };
        acquire_slow(me, args, n + nkw, kwnames)
    }
}

/// `__enter__()`: `acquire()`.
unsafe extern "C" fn enter(me: *mut PyObject, _noargs: *mut PyObject) -> *mut PyObject {
    unsafe {
        if let Some(r) = try_acquire(&mut *(me as *mut Core)) {
            return r;
        }
        acquire_slow(me, ptr::null(), 0, ptr::null_mut())
    }
}

/// `release()`: the record's `t` is taken before the real release (so no acquire it lets
/// through comes first), and the record kept only if the release succeeded. An RLock's
/// record carries its count before the release (the depth after it, plus one), and one
/// this thread does not hold (count 0) is the slow path's to refuse.
unsafe extern "C" fn release(me: *mut PyObject, _noargs: *mut PyObject) -> *mut PyObject {
    unsafe {
        let c = &mut *(me as *mut Core);
        if c.fast
            && let Some(w) = state::fast_worker()
        {
            let s = shared();
            let Some(extra) = depth(c) else {
                return ptr::null_mut();
            };
            if !c.reentrant || extra > 0 {
                let t = state::now(s.t0);
                let Some(r) = call_bound(c.raw, &mut c.release, s.release, s.no_args) else {
                    return ptr::null_mut();
                };
                Py_DECREF(r);
                return record(c, t, w, RELEASE, extra, Py_None());
            }
        }
        let f = PyObject_GetAttr(me, shared().release_slow);
        if f.is_null() {
            return f;
        }
        let r = PyObject_CallNoArgs(f);
        Py_DECREF(f);
        r
    }
}

/// `__exit__(*exc)`: `release()`.
unsafe extern "C" fn exit(
    me: *mut PyObject,
    _args: *mut *mut PyObject,
    _n: Py_ssize_t,
) -> *mut PyObject {
    unsafe { release(me, ptr::null_mut()) }
}

static mut METHODS: [PyMethodDef; 5] = [
    PyMethodDef {
        ml_name: c"acquire".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunctionFastWithKeywords: acquire,
        },
        ml_flags: METH_FASTCALL | METH_KEYWORDS,
        ml_doc: ptr::null(),
    },
    PyMethodDef {
        ml_name: c"__enter__".as_ptr(),
        ml_meth: PyMethodDefPointer { PyCFunction: enter },
        ml_flags: METH_NOARGS,
        ml_doc: ptr::null(),
    },
    PyMethodDef {
        ml_name: c"release".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: release,
        },
        ml_flags: METH_NOARGS,
        ml_doc: ptr::null(),
    },
    PyMethodDef {
        ml_name: c"__exit__".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunctionFast: exit,
        },
        ml_flags: METH_FASTCALL,
        ml_doc: ptr::null(),
    },
    PyMethodDef::zeroed(),
];

static mut MEMBERS: [PyMemberDef; 3] = [
    member(c"_l", Py_T_OBJECT_EX, offset_of!(Core, raw)),
    member(
        c"__weaklistoffset__",
        Py_T_PYSSIZET,
        offset_of!(Core, weaklist),
    ),
    MEMBERS_END,
];

/// `_j`: the id fragment, made on first read for a lock the factory made.
unsafe extern "C" fn get_j(me: *mut PyObject, _closure: *mut c_void) -> *mut PyObject {
    unsafe {
        let c = &mut *(me as *mut Core);
        if c.j.is_null() {
            let text = format!("\"o\":{},\"opid\":{}", c.o, c.opid);
            c.j = PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as Py_ssize_t);
            if c.j.is_null() {
                return ptr::null_mut();
            }
        }
        Py_INCREF(c.j);
        c.j
    }
}

/// `_k`: (o, opid), made on first read for a lock the factory made.
unsafe extern "C" fn get_k(me: *mut PyObject, _closure: *mut c_void) -> *mut PyObject {
    unsafe {
        let c = &mut *(me as *mut Core);
        if c.k.is_null() {
            c.k = pair(c.o, c.opid);
            if c.k.is_null() {
                return ptr::null_mut();
            }
        }
        Py_INCREF(c.k);
        c.k
    }
}

/// The tuple (a, b), or null with the exception set.
unsafe fn pair(a: i64, b: i64) -> *mut PyObject {
    unsafe {
        let t = PyTuple_New(2);
        if t.is_null() {
            return t;
        }
        let (a, b) = (PyLong_FromLongLong(a), PyLong_FromLongLong(b));
        if a.is_null() || b.is_null() {
            Py_XDECREF(a);
            Py_XDECREF(b);
            Py_DECREF(t);
            return ptr::null_mut();
        }
        PyTuple_SetItem(t, 0, a); // steals
        PyTuple_SetItem(t, 1, b);
        t
    }
}

static mut GETSET: [PyGetSetDef; 3] = [
    PyGetSetDef {
        name: c"_j".as_ptr(),
        get: Some(get_j),
        set: None,
        doc: ptr::null(),
        closure: ptr::null_mut(),
    },
    PyGetSetDef {
        name: c"_k".as_ptr(),
        get: Some(get_k),
        set: None,
        doc: ptr::null(),
        closure: ptr::null_mut(),
    },
    PyGetSetDef {
        name: ptr::null(),
        get: None,
        set: None,
        doc: ptr::null(),
        closure: ptr::null_mut(),
    },
];

/// Takes the real lock inside a traced one out of the collector's lists: it holds no
/// references, so it can be in no cycle, and counting it made every collection walk twice
/// as many objects (50,000 locks cost 6.5x plain, most of it in full collections).
unsafe fn hide_from_gc(raw: *mut PyObject) {
    unsafe {
        if PyObject_GC_IsTracked(raw) == 1 {
            PyObject_GC_UnTrack(raw.cast());
        }
    }
}

/// An instance of `cls` (a class of `lock_class`, or a subclass of `LockCore`) for the real lock `raw` (the reference
/// is taken over) recorded as (o, opid): the native factory's, with no id text made.
/// `reentrant` and `counts` as `new` works them out. Null with the exception set.
pub unsafe fn make(
    cls: *mut PyTypeObject,
    raw: *mut PyObject,
    o: i64,
    opid: i64,
    reentrant: bool,
    counts: bool,
) -> *mut PyObject {
    unsafe {
        let me: *mut Core = heap::alloc(cls);
        if me.is_null() {
            Py_DECREF(raw);
            return ptr::null_mut();
        }
        let c = &mut *me;
        hide_from_gc(raw);
        c.raw = raw;
        c.o = o;
        c.opid = opid;
        c.reentrant = reentrant;
        c.fast = counts;
        me.cast()
    }
}

/// The type (a heap type from its spec; a base class, with weak references).
pub unsafe fn make_type() -> *mut PyObject {
    let flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
    let name = c"_threadlanes_native.LockCore";
    unsafe { heap::make_type(name, size_of::<Core>(), flags, &slots()) }
}

fn slots() -> [(c_int, *mut c_void); 5] {
    [
        (Py_tp_new, new as *mut c_void),
        (Py_tp_dealloc, dealloc as *mut c_void),
        (Py_tp_methods, (&raw mut METHODS).cast()),
        (Py_tp_members, (&raw mut MEMBERS).cast()),
        (Py_tp_getset, (&raw mut GETSET).cast()),
    ]
}

/// `lock_class(base)`: a new class of traced lock, with `LockCore`'s slots, for the shim
/// to set its Python methods on. Its instances are not tracked by the collector: a Python
/// subclass's are, and are larger objects walked by `subtype_traverse`, which made a full
/// collection over 300,000 traced locks 2.3x as slow as over plain ones, and making 50,000
/// locks cost 5.5x plain instead of 3.5-4x. A traced lock refers to its type, to the real
/// lock (itself hidden from the collector, see [`hide_from_gc`]) and to strings and ints:
/// it can close no cycle the collector would have to find.
///
/// `base`: it can be subclassed, as the real type can (`_thread.RLock`; not `_thread.lock`).
/// It is named as the real type is, so the program's messages read as untraced ("cannot
/// pickle '_thread.lock' object", "'_thread.RLock' object has no attribute …").
pub unsafe extern "C" fn lock_class(_m: *mut PyObject, base: *mut PyObject) -> *mut PyObject {
    unsafe {
        let mut flags = Py_TPFLAGS_DEFAULT;
        let mut name = c"_thread.lock";
        if PyObject_IsTrue(base) == 1 {
            flags |= Py_TPFLAGS_BASETYPE;
            name = c"_thread.RLock";
        }
        heap::make_type(name, size_of::<Core>(), flags, &slots())
    }
}
