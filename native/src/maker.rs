//! `LockMaker`: what `threading.Lock` and `threading.RLock` are in a traced program where
//! the native core loads. Making a lock declares it as an object, named for the line that
//! made it (`lock = threading.Lock()` is "lock", the next one from that line "lock-2").
//! In Python that declaration is a frame, a regex's cached match, a dict and a formatted
//! JSON line: about 2.5 µs a lock, for a call that costs 0.1 µs plain. Here it is the real
//! lock's constructor, a look in a cache of creation sites, the name's count, and the JSON
//! line appended to the shim's list of lines.
//!
//! What a site's locks are called is the shim's to say (`_lock_site(frame, kind)`, asked
//! once per site): a fixed base name, untraced (the standard library's own locks), or "ask
//! the Python factory" (a line whose name depends on the pass, as `a, b = Lock(), Lock()`).
//! The Python factory (`slow`) also takes every call the native one does not: arguments,
//! a thread the shim has not seen, tracing over, a gate.

use crate::heap::{self, MEMBERS_END, member};
use crate::lock;
use crate::records;
use crate::state::{self, shared};
use pyo3_ffi::*;
use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::hash::{BuildHasherDefault, Hasher};
use std::mem::offset_of;
use std::ptr;
use std::rc::Rc;

/// The kinds a maker makes, by their index (the JSON's `kind`).
const KINDS: [&str; 2] = ["lock", "rlock"];

#[repr(C)]
struct Maker {
    ob_base: PyObject,
    raw_factory: *mut PyObject,
    cls: *mut PyObject,
    slow: *mut PyObject,
    /// The instance's `__dict__` (its `__name__`, `__qualname__`, `__module__`).
    dict: *mut PyObject,
    kind: usize,
    reentrant: bool,
    /// The real lock can say its recursion count (see `LockCore`): records may be used.
    counts: bool,
}

/// How a creation site's locks are named.
#[derive(Clone)]
enum Site {
    /// Made for the standard library's own use: the real lock, untraced.
    Untraced,
    /// The Python factory names them.
    Slow,
    /// `base` (a str, the `_names` key), `json` (it as JSON string text, unquoted); `named`
    /// is false for a kind's base ("lock-3"), which is always numbered.
    Named {
        base: *mut PyObject,
        json: Rc<str>,
        named: bool,
    },
}

/// Sites by (code object, bytecode offset, kind). Each entry keeps its code object alive,
/// so its address is not reused while the entry lives, and its base's str. Entries are
/// never removed: a site copied out of it stays valid.
struct Sites(UnsafeCell<Option<SiteMap>>);

type SiteMap = HashMap<SiteKey, (*mut PyObject, Site), BuildHasherDefault<SiteHasher>>;

/// The cache's hash: its keys are a code address and two small numbers made by this process,
/// not input anyone chooses, so a multiply-rotate hash (as rustc's FxHash) does; the default
/// SipHash was a tenth of making a lock.
#[derive(Default)]
struct SiteHasher(u64);

impl Hasher for SiteHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }

    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// (the code object's address, the bytecode offset, the kind's index).
type SiteKey = (usize, i64, usize);

// SAFETY: only touched with the GIL held, and never across a call into Python.
unsafe impl Sync for Sites {}

static SITES: Sites = Sites(UnsafeCell::new(None));

/// Most sites kept: code made at run time (exec in a loop) must not grow it for ever.
const MOST_SITES: usize = 4096;

/// `LockMaker(raw_factory, cls, kind, slow, reentrant, counts)`.
unsafe extern "C" fn new(
    ty: *mut PyTypeObject,
    args: *mut PyObject,
    _kw: *mut PyObject,
) -> *mut PyObject {
    unsafe {
        if PyTuple_Size(args) != 6 {
            PyErr_SetString(
                PyExc_TypeError,
                c"LockMaker(raw_factory, cls, kind, slow, reentrant, counts)".as_ptr(),
            );
            return ptr::null_mut();
        }
        let item = |i| PyTuple_GetItem(args, i);
        let kind = state::str_of(item(2)).and_then(|k| KINDS.iter().position(|x| *x == k));
        let Some(kind) = kind else {
            PyErr_SetString(PyExc_ValueError, c"kind is lock or rlock".as_ptr());
            return ptr::null_mut();
        };
        let me: *mut Maker = heap::alloc(ty);
        if me.is_null() {
            return ptr::null_mut();
        }
        let m = &mut *me;
        for (slot, i) in [(&mut m.raw_factory, 0), (&mut m.cls, 1), (&mut m.slow, 3)] {
            *slot = item(i);
            Py_INCREF(*slot);
        }
        m.kind = kind;
        m.reentrant = PyObject_IsTrue(item(4)) == 1;
        m.counts = PyObject_IsTrue(item(5)) == 1;
        me.cast()
    }
}

unsafe extern "C" fn dealloc(me: *mut PyObject) {
    unsafe {
        let m = &mut *(me as *mut Maker);
        for p in [m.raw_factory, m.cls, m.slow, m.dict] {
            Py_XDECREF(p);
        }
        heap::free(me);
    }
}

/// `threading.Lock()`: a traced lock, declared.
unsafe extern "C" fn call(
    me: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    unsafe {
        let m = &*(me as *mut Maker);
        let plain = PyTuple_Size(args) == 0 && (kw.is_null() || PyDict_Size(kw) == 0);
        let w = if plain { state::fast_worker() } else { None };
        let frame = PyEval_GetFrame();
        let (Some(w), false) = (w, frame.is_null()) else {
            return PyObject_Call(m.slow, args, kw);
        };
        let Some(site) = site(frame.cast(), m.kind) else {
            return ptr::null_mut();
        };
        match site {
            Site::Untraced => PyObject_Call(m.raw_factory, args, kw),
            Site::Slow => PyObject_Call(m.slow, args, kw),
            Site::Named { base, json, named } => declare(m, w, base, &json, named),
        }
    }
}

/// The real lock, declared under the site's name, in its traced class.
unsafe fn declare(
    m: &Maker,
    w: i64,
    base: *mut PyObject,
    json: &str,
    named: bool,
) -> *mut PyObject {
    unsafe {
        let s = shared();
        let (Some(names), Some(next_o), Some(pid), Some(buf)) = (
            state::global(s.names),
            state::global(s.next_o),
            state::global(s.pid),
            state::global(s.buf),
        ) else {
            return PyObject_CallNoArgs(m.slow);
        };
        let raw = PyObject_CallNoArgs(m.raw_factory);
        if raw.is_null() {
            return raw;
        }
        // Owned references: the calls below can run Python (a collection's finalizers),
        // which could rebind the globals these were borrowed from.
        let held = [base, names, next_o, pid];
        for p in held {
            Py_INCREF(p);
        }
        let made = (|| {
            let n = count(names, base)?;
            let o = long(PyIter_Next(next_o))?;
            let pid = as_i64(pid)?;
            Some((n, o, pid))
        })();
        for p in held {
            Py_DECREF(p);
        }
        let Some((n, o, pid)) = made else {
            Py_DECREF(raw);
            return ptr::null_mut();
        };
        let t = state::now(s.t0);
        let kind = KINDS[m.kind];
        Py_INCREF(buf);
        let said = records::say(buf, |b| {
            b.extend_from_slice(b"{\"t\":");
            decimal(b, t);
            b.extend_from_slice(b",\"pid\":");
            decimal(b, pid);
            b.extend_from_slice(b",\"w\":");
            decimal(b, w);
            b.extend_from_slice(b",\"op\":\"object\",\"o\":");
            decimal(b, o);
            b.extend_from_slice(b",\"opid\":");
            decimal(b, pid);
            b.extend_from_slice(b",\"name\":\"");
            b.extend_from_slice(json.as_bytes());
            if !named || n > 1 {
                b.push(b'-');
                decimal(b, n);
            }
            b.extend_from_slice(b"\",\"kind\":\"");
            b.extend_from_slice(kind.as_bytes());
            b.extend_from_slice(b"\"}\n");
        });
        Py_DECREF(buf);
        if !said.is_some_and(|full| !full || state::flush()) {
            Py_DECREF(raw);
            return ptr::null_mut();
        }
        lock::make(m.cls.cast(), raw, o, pid, m.reentrant, m.counts)
    }
}

/// Appends `n` in decimal: what `write!` makes, without its formatting machinery, which
/// was a third of making a lock.
fn decimal(b: &mut Vec<u8>, n: i64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut v = n.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        b.push(b'-');
    }
    b.extend_from_slice(&digits[i..]);
}

/// `_names[base] += 1` (from 0); the new count, or None with the exception set.
unsafe fn count(names: *mut PyObject, base: *mut PyObject) -> Option<i64> {
    unsafe {
        let was = PyDict_GetItem(names, base);
        let n = if was.is_null() { 1 } else { as_i64(was)? + 1 };
        let v = PyLong_FromLongLong(n);
        if v.is_null() {
            return None;
        }
        let r = PyDict_SetItem(names, base, v);
        Py_DECREF(v);
        (r == 0).then_some(n)
    }
}

/// An int's value, or None with the exception set.
unsafe fn as_i64(v: *mut PyObject) -> Option<i64> {
    unsafe {
        let n = PyLong_AsLongLong(v);
        (n != -1 || PyErr_Occurred().is_null()).then_some(n)
    }
}

/// A new reference to an int, as its value (the reference given back).
unsafe fn long(v: *mut PyObject) -> Option<i64> {
    unsafe {
        if v.is_null() {
            if PyErr_Occurred().is_null() {
                PyErr_SetString(PyExc_RuntimeError, c"the object counter ended".as_ptr());
            }
            return None;
        }
        let n = as_i64(v);
        Py_DECREF(v);
        n
    }
}

/// How `frame`'s line names what it makes (a copy of the cache's entry: the cache is not
/// borrowed while Python runs); None with the exception set.
unsafe fn site(frame: *mut PyObject, kind: usize) -> Option<Site> {
    unsafe {
        let code: *mut PyObject = PyFrame_GetCode(frame.cast()).cast();
        let at = PyObject_GetAttr(frame, shared().f_lasti);
        let lasti = long(at);
        let Some(lasti) = lasti else {
            Py_DECREF(code);
            return None;
        };
        let key = (code as usize, lasti, kind);
        let sites = &mut *SITES.0.get();
        if let Some((_, site)) = sites.get_or_insert_with(SiteMap::default).get(&key) {
            Py_DECREF(code);
            return Some(site.clone());
        }
        let Some(found) = ask(frame, kind) else {
            Py_DECREF(code);
            return None;
        };
        let sites = (&mut *SITES.0.get()).get_or_insert_with(SiteMap::default);
        if let Some((_, site)) = sites.get(&key) {
            // Kept meanwhile, by a call made while the shim was asked.
            release(&found);
            Py_DECREF(code);
            return Some(site.clone());
        }
        if sites.len() >= MOST_SITES {
            release(&found);
            Py_DECREF(code);
            return Some(match found {
                Site::Named { .. } => Site::Slow,
                other => other,
            });
        }
        // The entry keeps the code (the reference taken above) and the base's str.
        sites.insert(key, (code, found.clone()));
        Some(found)
    }
}

/// Gives back the reference a site from [`ask`] holds.
unsafe fn release(site: &Site) {
    if let Site::Named { base, .. } = site {
        unsafe { Py_DECREF(*base) };
    }
}

/// The shim's `_lock_site(frame, kind)`: None (untraced), False (the Python factory's), or
/// (base, named), whose base the site holds a reference to. None with the exception set if
/// it raised or said something else.
unsafe fn ask(frame: *mut PyObject, kind: usize) -> Option<Site> {
    unsafe {
        let f = state::global(shared().lock_site)?;
        let kind = PyUnicode_FromStringAndSize(
            KINDS[kind].as_ptr().cast(),
            KINDS[kind].len() as Py_ssize_t,
        );
        if kind.is_null() {
            return None;
        }
        let r = PyObject_CallFunctionObjArgs(f, frame, kind, ptr::null_mut::<PyObject>());
        Py_DECREF(kind);
        if r.is_null() {
            return None;
        }
        let site = read_site(r);
        Py_DECREF(r);
        if site.is_none() && PyErr_Occurred().is_null() {
            PyErr_SetString(PyExc_TypeError, c"_lock_site said something odd".as_ptr());
        }
        site
    }
}

unsafe fn read_site(r: *mut PyObject) -> Option<Site> {
    unsafe {
        if r == Py_None() {
            return Some(Site::Untraced);
        }
        if r == Py_False() {
            return Some(Site::Slow);
        }
        if PyTuple_Check(r) == 0 || PyTuple_Size(r) != 2 {
            return None;
        }
        let base = PyTuple_GetItem(r, 0);
        let json: Rc<str> = json_text(state::str_of(base)?).into();
        let named = PyObject_IsTrue(PyTuple_GetItem(r, 1)) == 1;
        Py_INCREF(base);
        Some(Site::Named { base, json, named })
    }
}

/// `s` as the inside of a JSON string.
fn json_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `__reduce__`: pickled by name, as the function it stands for is (spawn, a Manager's
/// registry): its `__qualname__`, found in its `__module__`.
unsafe extern "C" fn reduce(me: *mut PyObject, _noargs: *mut PyObject) -> *mut PyObject {
    unsafe { PyObject_GetAttrString(me, c"__qualname__".as_ptr()) }
}

/// `isinstance(x, threading.Lock)`: where `threading.Lock` is a class (Python 3.13), a
/// traced lock is one, and so is a real one; where it is a function, Python's own error.
unsafe extern "C" fn instancecheck(me: *mut PyObject, x: *mut PyObject) -> *mut PyObject {
    unsafe {
        let m = &*(me as *mut Maker);
        if PyType_Check(m.raw_factory) == 0 {
            PyErr_SetString(
                PyExc_TypeError,
                c"isinstance() arg 2 must be a type, a tuple of types, or a union".as_ptr(),
            );
            return ptr::null_mut();
        }
        let mut r = PyObject_IsInstance(x, m.cls);
        if r == 0 {
            r = PyObject_IsInstance(x, m.raw_factory);
        }
        if r < 0 {
            return ptr::null_mut();
        }
        PyBool_FromLong(r.into())
    }
}

static mut METHODS: [PyMethodDef; 3] = [
    PyMethodDef {
        ml_name: c"__reduce__".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: reduce,
        },
        ml_flags: METH_NOARGS,
        ml_doc: ptr::null(),
    },
    PyMethodDef {
        ml_name: c"__instancecheck__".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: instancecheck,
        },
        ml_flags: METH_O,
        ml_doc: ptr::null(),
    },
    PyMethodDef::zeroed(),
];

static mut MEMBERS: [PyMemberDef; 2] = [
    member(c"__dictoffset__", Py_T_PYSSIZET, offset_of!(Maker, dict)),
    MEMBERS_END,
];

/// The type (a heap type from its spec; its instances have a `__dict__`).
pub unsafe fn make_type() -> *mut PyObject {
    let slots = [
        (Py_tp_new, new as *mut c_void),
        (Py_tp_dealloc, dealloc as *mut c_void),
        (Py_tp_call, call as *mut c_void),
        (Py_tp_methods, (&raw mut METHODS).cast()),
        (Py_tp_members, (&raw mut MEMBERS).cast()),
    ];
    let name = c"_threadlanes_native.LockMaker";
    unsafe { heap::make_type(name, size_of::<Maker>(), Py_TPFLAGS_DEFAULT, &slots) }
}
