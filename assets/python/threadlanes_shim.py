"""threadlanes tracing shim: reports a Python program's threads, processes, locks, queues and
pools as threadlanes events (JSON Lines, docs/wire-format.md) on the Unix socket named in
THREADLANES_SOCKET. Loaded by the sitecustomize next to it in every process of the program.

Rules it keeps:
- Semantics never change: every wrapper calls the real primitive with the same arguments and
  returns what it returns; errors are raised by the real primitive, not by us.
- Objects the standard library makes for its own use (the lock inside a Condition or a Queue,
  a Thread's events, multiprocessing's helper threads) are not reported.
- A line's order is a true order within a process: `t` is taken and the line buffered under one
  lock; a release is written before the real release, an acquire after the real acquire.
  Across processes threadlanes merges by `t` (CLOCK_MONOTONIC, shared by all processes), so
  operations on objects shared between processes are sent at once.
- In step mode (THREADLANES_STEP=1, or {"mode":"step"} from threadlanes) a program's thread
  says what it will do next ({"gate":w,...}) and waits for {"go":w} before each operation;
  in free mode a wrapper reads one flag and never waits. Hidden threads are never held.
- Ids are local to a process; "opid"/"tpid"/"ppid"/"wpid" name the process an id belongs to
  when it is not the sender's, and threadlanes makes them unique.
"""

import _thread
import builtins
import io
import itertools
import json
import linecache
import os
import re
import signal
import socket  # here, not under the writer's lock: an import may make locks we trace
import struct
import sys
import sysconfig
import time
from enum import Enum as _Enum

_mono = time.monotonic_ns
_orig_sleep = time.sleep
_get_ident = _thread.get_ident
_T0 = int(os.environ.get("THREADLANES_T0") or 0) or _mono()
_SPEED = float(os.environ.get("THREADLANES_SPEED") or 1.0) or 1.0
_PATH = os.environ.get("THREADLANES_SOCKET", "")
_TUI = os.environ.get("THREADLANES_TUI") == "1"  # read now: the program's view loses it
_DIR = os.path.dirname(os.path.abspath(__file__))

_pid = os.getpid()
# Reentrant: a finalizer run by the garbage collector in the middle of an emit may emit too.
_wlock = _thread.RLock()
_buf = []  # text lines since the last frame was sealed
# The most frequent events (a lock's acquire and release) as records of six numbers: t, w,
# op code, o, opid, extra (docs/wire-format.md, "Internal framing"). Little-endian machines
# only (array's native order); elsewhere every event is a text line.
_PACK = sys.byteorder == "little"
_rec = []  # records as bytes (struct _REC), appended without the writer's lock
_REC = struct.Struct("<6q")


def _load_native():
    """The native hot path of a Lock's events (threadlanes' native/ crate, carried in its
    binary and written next to this file), or None for the pure-Python one: not CPython
    3.10+, not little-endian, or THREADLANES_NATIVE=0."""
    if not _PACK or os.environ.get("THREADLANES_NATIVE") == "0":
        return None
    try:
        import _threadlanes_native
    except ImportError:
        return None
    return _threadlanes_native


_native = _load_native()
_out = []  # sealed bytes, in order, waiting to be sent
_sock = None
_sock_ino = None  # the inode of our socket: its descriptor may be closed and reused
_closed = False
_wids = {}  # thread ident -> worker id in this process (None: a hidden stdlib thread)
_live = {}  # worker id -> Thread, for threads started and not yet ended
_next_w = [1]
_next_o = itertools.count(1)
_names = {}
_main_done = [False]
_forkserver = [False]  # this process is multiprocessing's forkserver (see install)
_starting = [None]  # the multiprocessing Process whose start() is forking right now
_proc_declared = [False]  # this process's worker 0 has its Process's name
_root = [False]  # the program's first process: threadlanes waits for it and has its status
# Seeded mode: threadlanes picks who goes (through the gate, as in step mode) and a sleep's
# time passes on its logical clock. Only the program's first process is seeded (`_seed_pid`);
# its child processes run free.
_seed_pid = 0
if os.environ.get("THREADLANES_SEEDED") == "1":
    _seed_pid = -1 if "THREADLANES_ROOT_PID" in os.environ else _pid
_gated = os.environ.get("THREADLANES_STEP") == "1" and _seed_pid in (0, _pid)  # each op waits for its go
_parked = {}  # worker id -> raw lock held while that worker waits at its gate
_went = {}  # worker id -> the "go" that let it through (read by the worker it woke)
_FLUSH_EVERY = 0.02
# A printed line longer than this is cut in its event: escaped, it stays well under the 1 MiB
# a line of the wire format may be.
_SAY_MAX = 1 << 16


def _q(s):
    s = str(s)
    # Most names need no escaping, and json.dumps costs a microsecond.
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'
    return json.dumps(s)


# ── the writer ──────────────────────────────────────────────────────────────────────


_SNDBUF = 4 << 20  # the kernel doubles it (bookkeeping), capped at net.core.wmem_max


def _connect_locked():
    """The connection to threadlanes, made on first use."""
    global _sock, _sock_ino
    if _sock is None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(_PATH)
        except OSError:
            s.close()
            raise
        try:
            # Room for a burst while threadlanes' reader is off the CPU: a lock round makes
            # 96 bytes of records, and the default 208 KiB fills in under a millisecond, then
            # the program waits (wall 1.25-1.35x its CPU time in lock rounds; ~1.0 with this).
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SNDBUF)
        except OSError:
            pass
        _sock, _sock_ino = s, os.fstat(s.fileno()).st_ino
        _thread.start_new_thread(_helper, (_listen, s))
    return _sock


def _seal_locked():
    """What waits, records then text lines, into the bytes to send. Their order in the
    stream does not matter: threadlanes puts a process's events in `t` order. Records (and
    the native lock factory's lines) are appended without the lock, so only those counted
    here are taken (each list operation is atomic: one appended meanwhile stays for the
    next frame)."""
    n = len(_rec)
    made = _native.take() if _native is not None else b""  # the native path's records
    if n or made:
        recs = _rec[:n]
        del _rec[:n]
        body = b"".join(recs) + made
        _out.append(b"\0" + _pid.to_bytes(4, "little") + len(body).to_bytes(4, "little") + body)
    # The native lock factory appends its lines without the lock: as with records, only
    # those counted here are taken.
    n = len(_buf)
    if n:
        _out.append("".join(_buf[:n]).encode())
        del _buf[:n]


def _disowned_locked():
    """True if the program closed our descriptor (os.closerange) and it may now be one of
    its own: tracing ends here, and the descriptor is left alone (never written, never
    closed)."""
    global _closed, _sock
    if _sock is None:
        return False
    try:
        if os.fstat(_sock.fileno()).st_ino == _sock_ino:
            return False
    except (OSError, ValueError):
        pass
    _closed = True
    _sock.detach()
    _sock = None
    return True


def _flush_locked():
    if (_closed and _finishing[0] != _get_ident()) or _disowned_locked():
        return
    _seal_locked()
    if not _out:
        return
    data = b"".join(_out)
    _out.clear()
    try:
        _connect_locked().sendall(data)
    except OSError:
        _lost()


def _watch():
    """Notices threadlanes going away while this process sends nothing (a sleep, a wait):
    a connection that reads as ended has been closed (what threadlanes writes back in step
    mode reads as data, and is left for the listener)."""
    with _wlock:
        if _closed or _disowned_locked():
            return
        try:
            if _connect_locked().recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) != b"":
                return
        except BlockingIOError:
            return  # open, and nothing to read: threadlanes is there
        except OSError:
            pass
        _lost()


def _lost():
    """The connection failed (under the writer's lock). If threadlanes is gone (killed, or
    its terminal closed under it), the program hangs up as a program does when its terminal
    closes; if threadlanes only turned this connection away (it ran out of descriptors), or
    finished the trace while this process runs on (it removes its socket when it finishes,
    not when it is killed), the process runs on untraced."""
    global _closed
    _closed = True
    if _viewer_gone() and os.path.exists(_PATH):
        _hang_up()


def _viewer_gone():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(_PATH)
    except (ConnectionRefusedError, FileNotFoundError):
        return True
    except OSError:
        return False  # busy (EAGAIN) or refused for another reason: still there
    finally:
        s.close()
    return False


def _hang_up():
    """What a closed terminal does to its programs: SIGHUP to the program's process group
    (threadlanes made the program a group of its own), which ends every process that does
    not handle it. Threadlanes' private directory goes first: nobody will remove it now."""
    d = os.path.dirname(_PATH)
    try:
        if os.path.basename(d).startswith("threadlanes-trace-") and os.stat(d).st_uid == os.getuid():
            import shutil

            shutil.rmtree(d, ignore_errors=True)
    except OSError:
        pass
    try:
        os.killpg(os.getpgrp(), signal.SIGHUP)
    except OSError:
        os.kill(os.getpid(), signal.SIGHUP)


def _flush():
    with _wlock:
        _flush_locked()


def _detach():
    """threadlanes has read the program to its end ({"mode":"done"}: its first process
    ended, this one runs on): this process goes on untraced, as it would have, and sends
    nothing more (a connection that closes after this is no hang-up)."""
    global _closed
    with _wlock:
        _closed = True


def _emit(w, tail, now=False):
    """One event of worker `w`; `tail` is the rest of the JSON object after "w"."""
    with _wlock:
        if _closed and _finishing[0] != _get_ident():
            return
        _buf.append('{"t":%d,"pid":%d,"w":%d,%s\n' % (_mono() - _T0, _pid, w, tail))
        if now or len(_buf) >= 512:
            _flush_locked()


_REC_MAX = 2048  # records held before they are sent (96 KiB)
_pack = _REC.pack


def _record(w, code, k, extra=0):
    """One event as a record (the op's `code`, `k` the object's (o, opid)): no text, and
    no lock (a list's append is atomic; the order is restored from `t`)."""
    if not _closed:
        _rec.append(_pack(_mono() - _T0, w, code, k[0], k[1], extra))
        if len(_rec) >= _REC_MAX:
            _flush()


# Record codes; _ACQUIRED: taken at once, acquire_begin and acquire_end in one record. A
# sleep's records name no object (o 0, opid this process); sleep_begin's extra is its ms.
_ACQUIRE_BEGIN, _ACQUIRE_END, _ACQUIRE_FAILED, _RELEASE, _ACQUIRED = 1, 2, 3, 4, 5
_SLEEP_BEGIN, _SLEEP_END = 6, 7
_MS_MAX = 1 << 62  # a sleep's ms in a record: asyncio.sleep(math.inf) sleeps for good


def _ms(delay):
    """A sleep's whole milliseconds, for its event: asyncio.sleep takes any delay (an
    infinite one sleeps for good, a NaN one not at all)."""
    try:
        return min(int(delay * 1000), _MS_MAX) if delay > 0 else 0
    except (OverflowError, ValueError, TypeError):
        return _MS_MAX


def _key(j):
    """(o, opid) of an id fragment '"o":3,"opid":4242'."""
    o, opid = j.split(",")
    return int(o[4:]), int(opid[7:])


_helper_tids = set()  # the OS thread ids of the shim's own threads, while they run


def _helper(fn, *args):
    """Runs one of the shim's own threads (the flusher, the listener), known by its OS id."""
    tid = _thread.get_native_id()
    _helper_tids.add(tid)
    try:
        fn(*args)
    finally:
        _helper_tids.discard(tid)


def _only_our_threads():
    """True when the shim's threads are the only OS threads besides the calling one."""
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return False
    ours = sum(1 for t in tids if int(t) in _helper_tids)
    return ours > 0 and len(tids) - ours == 1


_FORK_WARNING = r"This process \(pid=\d+\) is multi-threaded"


def _fork_begin():
    """Before a fork. From Python 3.12 os.fork warns (DeprecationWarning) when the process
    has other OS threads, and the shim's own two would make it warn where the program alone
    would not: when they are the only others, one filter keeps that warning quiet until
    `_fork_end` (returned for it). Whenever a thread of the program's runs, the warning is
    left as it is, at the program's own line."""
    if sys.version_info < (3, 12) or not _only_our_threads():
        return None
    import warnings

    warnings.filterwarnings("ignore", _FORK_WARNING, DeprecationWarning)
    return warnings.filters[0]


def _fork_end(entry, pid=None):
    """After a fork (its warning made or not), in parent and child: the filter goes."""
    if entry is None:
        return
    import warnings

    try:
        warnings.filters.remove(entry)
    except ValueError:  # the program reset its filters meanwhile
        return
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()


_fork_wrapped = [False]  # os.fork calls _fork_begin and _fork_end itself (`_quiet_fork`)
_fork_filter = [None]  # else: the filter of a fork under way, from hook to hook


def _quiet_fork():
    """Where the native module loads (3.12+), os.fork itself goes between `_fork_begin` and
    `_fork_end`, called from C so that a warning still names the program's line: 3.13 warns
    after the at-fork hooks. Elsewhere the hooks do it, in time on 3.12 only."""
    if sys.version_info < (3, 12) or _native is None or not hasattr(_native, "around"):
        return
    os.fork = _native.around(os.fork, _fork_begin, _fork_end)
    _fork_wrapped[0] = True


def _fork_over():
    """An at-fork hook after the fork: the filter a before-fork hook set goes."""
    entry, _fork_filter[0] = _fork_filter[0], None
    _fork_end(entry)


def _flusher():
    while not _closed:
        _orig_sleep(_FLUSH_EVERY)
        if _buf or _rec or _out:
            _flush()
        _watch()


def _start_flusher():
    # A raw thread: threading never sees it, so the program's thread counts do not change.
    _thread.start_new_thread(_helper, (_flusher,))


# ── the gate: step mode ─────────────────────────────────────────────────────────────
# threadlanes writes back on the same connection: {"go":W} lets worker W's next operation
# happen, {"mode":"step"|"free"} turns the gate on or off. In free mode a wrapper only reads
# the flag `_gated`; nothing waits.


def _listen(s):
    """Reads what threadlanes says (a raw thread, as the flusher). On end of stream every
    parked worker goes on: the viewer is gone, the program runs free."""
    pending = b""
    while True:
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:
            _set_gated(False)
            return
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if "go" in msg:
                _went[msg["go"]] = msg
                lk = _parked.pop(msg["go"], None)
                if lk is not None:
                    lk.release()
            elif msg.get("mode") in ("free", "step", "seeded"):
                _set_gated(msg["mode"] != "free")
            elif msg.get("mode") == "done":
                _detach()


def _set_gated(on):
    """Under the writer's lock, so no worker parks after the gates were opened."""
    global _gated
    with _wlock:
        _gated = on
        if not on:
            for w in list(_parked):
                lk = _parked.pop(w, None)
                if lk is not None:
                    lk.release()


def _place():
    """Where the program does what it is about to: "bank.py:14" (the first frame outside
    the standard library and this shim)."""
    f = sys._getframe(2)
    while f is not None and _is_std(f.f_code.co_filename):
        f = f.f_back
    if f is None:
        return ""
    return "%s:%d" % (os.path.basename(f.f_code.co_filename), f.f_lineno)


def _gate(w, op, j=None):
    """Step or seeded mode: says what worker `w` will do next and waits until threadlanes
    lets it. True when the go said the operation's time has passed on threadlanes' logical
    clock (a seeded sleep: it does not sleep). A child process of a seeded program runs
    free: its threads never wait here."""
    if _seed_pid and _pid != _seed_pid:
        return False
    lk = _thread.allocate_lock()
    lk.acquire()
    tail = ',%s' % j if j else ""
    # A try or a wait with a timeout (the wrapper's own arguments) never waits for good:
    # threadlanes may let it go even when what it wants is not there.
    args = sys._getframe(1).f_locals
    timeout = args.get("timeout")
    if not args.get("blocking", args.get("block", True)) or (timeout is not None and timeout >= 0):
        tail += ',"timed":1'
    with _wlock:
        if _closed or not _gated:
            return False
        _went.pop(w, None)
        _parked[w] = lk
        _buf.append('{"gate":%d,"pid":%d,"next":"%s"%s,"at":%s}\n' % (w, _pid, op, tail, _q(_place())))
        _flush_locked()
    lk.acquire()
    return bool(_went.pop(w, {}).get("skip"))


# ── who is doing this ───────────────────────────────────────────────────────────────

_UNKNOWN = object()


def _me():
    """The worker id of the calling thread, or None (hidden thread, or tracing over)."""
    w = _wids.get(_get_ident(), _UNKNOWN)
    if w is _UNKNOWN:
        w = _adopt()
    return w


def _new_w():
    with _wlock:
        w = _next_w[0]
        _next_w[0] += 1
    return w


def _adopt():
    """A thread we did not see start (the main thread of a process that is not the root)."""
    global _my_parent
    if _closed:
        return None
    import threading

    # Not current_thread(): for a thread threading never started it would make a dummy
    # Thread, and the program's active_count() would change.
    ident = _get_ident()
    t = threading._active.get(ident)
    if ident == threading.main_thread().ident and 0 not in _wids.values():
        w = 0
        _my_parent = _parent_lane()
        _declare_worker(0, _proc_name(), "process", False, *_my_parent)
    else:
        w = _new_w()
        _declare_worker(w, t.name if t else "thread-%d" % w, "thread", t.daemon if t else False, None)
    _wids[_get_ident()] = w
    _emit(w, '"op":"start"}')
    return w


def _proc_name():
    return "python " + " ".join(os.path.basename(a) for a in sys.argv[:2]) if sys.argv else "python"


def _declare_worker(w, name, kind, daemon, parent, ppid=None):
    # "lang": this program says its prints itself (as say events), so threadlanes does not
    # show its stdout lines as well.
    tail = '"op":"worker","name":%s,"kind":"%s","daemon":%s,"lang":"python"' % (
        _q(name), kind, "true" if daemon else "false")
    if parent is not None:
        tail += ',"parent":%d' % parent
        if ppid is not None and ppid != _pid:
            tail += ',"ppid":%d' % ppid
    _emit(w, tail + "}", now=True)


# ── who made this object, and what it is called ─────────────────────────────────────

_STD = tuple(
    os.path.join(p, "")
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
)
_std_cache = {}
_ASSIGN = re.compile(r"\s*((?:self\.)?[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*(?::[^=]*)?=(?!=)")
_WITH_AS = re.compile(r".*\bas\s+([A-Za-z_]\w*)\s*[:,]")


def _is_std(filename):
    r = _std_cache.get(filename)
    if r is None:
        r = filename.startswith("<frozen") or (
            filename.startswith(_STD) and "-packages" not in filename
        ) or filename == __file__
        _std_cache[filename] = r
    return r


def _creator(obj, depth):
    """The frame of the user code that made `obj`, or None when the standard library made it
    for its own use. Skips `obj`'s own __init__ chain and multiprocessing's context factories."""
    return _creator_from(sys._getframe(depth), obj)


def _creator_from(f, obj):
    while f is not None:
        code = f.f_code
        if obj is not None and code.co_name == "__init__" and f.f_locals.get("self") is obj:
            f = f.f_back
        elif code.co_filename.endswith(("multiprocessing/context.py", "multiprocessing/__init__.py")):
            f = f.f_back
        else:
            break
    if f is None or _is_std(f.f_code.co_filename):
        return None
    return f


def _top_level_parts(expr):
    """How many comma-separated parts `expr` has outside brackets ("A(), B()" has 2)."""
    depth, parts = 0, 1
    for c in expr.split("#", 1)[0]:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts += 1
    return parts


_last_call = [None]  # the last creation on a tuple line: (frame id, line, f_lasti, index)


def _target_for(frame, line, m):
    """The assignment's target for this creation: `l1, l2 = Lock(), Lock()` makes two
    objects, named l1 and l2 in the order they are made; `a, b = Pipe()` makes one, named
    for both ends ("a/b"). None when the line is not one creation per target."""
    targets = [t.strip() for t in m.group(1).split(",")]
    rhs = line[m.end():].strip()
    if len(targets) < 2 or _top_level_parts(rhs.rstrip(",")) != len(targets):
        return None
    i = _part_of_call(frame, line, m)
    if i is None:
        key = (id(frame), frame.f_lineno)
        last = _last_call[0]
        # Calls on one line run in bytecode order; a smaller offset is the line run again.
        # (Counted: a creation on the line that is not traced shifts the names after it.)
        i = last[3] + 1 if last is not None and last[:2] == key and frame.f_lasti > last[2] else 0
        _last_call[0] = key + (frame.f_lasti, i)
    return targets[i] if i < len(targets) else None


_call_parts = {}  # (id(code), offset) -> (code, which part of the right side, or None)


def _part_of_call(frame, line, m):
    """Which top-level part of the assignment's right side the running call is in, found by
    the call's column (Python 3.11+: code positions), or None."""
    code, at = frame.f_code, frame.f_lasti
    seen = _call_parts.get((id(code), at))
    if seen is None or seen[0] is not code:
        part = None
        positions = getattr(code, "co_positions", None)
        pos = next(itertools.islice(positions(), at // 2, None), None) if positions else None
        if pos is not None and pos[0] == frame.f_lineno and pos[2] is not None:
            b = line.encode()  # columns count UTF-8 bytes
            depth, i = 0, 0
            for k in range(len(line[: m.end()].encode()), min(pos[2], len(b))):
                c = b[k]
                depth += (c in b"([{") - (c in b")]}")
                i += c == 44 and depth == 0  # a comma between parts
            part = i
        seen = _call_parts[(id(code), at)] = (code, part)
    return seen[1]


# (id(code), offset) -> (code, the line, its assignment's match or None). Keyed by the code's
# id, not the code: a code object's hash is recomputed from its constants at every lookup.
# The code is kept in the value, so its id is not reused while the entry lives.
_line_names = {}


def _base(m, kind, one=None):
    """A name's base: the assignment's target (`one` of several), or the kind."""
    base = one or (re.sub(r"\s*,\s*", "/", m.group(1)) if m else kind)
    return base.replace("self.", "")


def _site(frame, kind):
    """(the line, its assignment's match or None, the name's base where it is the same at
    every pass or None) of the creation running at `frame`."""
    # A line read and matched once: a loop making thousands of objects pays for it once.
    # By bytecode offset, not line: f_lineno is worked out from the line table each time.
    code, at = frame.f_code, frame.f_lasti
    seen = _line_names.get((id(code), at, kind))
    if seen is None or seen[0] is not code:
        line = linecache.getline(code.co_filename, frame.f_lineno)
        m = _ASSIGN.match(line) or _WITH_AS.match(line)
        # Not the same at every pass: `a, b = X(), Y()`.
        fixed = None if m and m.re is _ASSIGN and "," in m.group(1) else _base(m, kind)
        seen = _line_names[(id(code), at, kind)] = (code, line, m, fixed)
    return seen[1:]


def _lock_site(frame, kind):
    """For the native lock factory, once per creation site: how the locks made at `frame`
    are named. None: made for the standard library's own use (untraced); False: the Python
    factory names them (the name depends on the pass, or the creator is further up);
    else (base, named), as `_name_for` names them."""
    f = _creator_from(frame, None)
    if f is None:
        return None
    if f is not frame:
        return False
    _, m, fixed = _site(frame, kind)
    return False if fixed is None else (fixed, m is not None)


def _name_for(frame, kind):
    line, m, base = _site(frame, kind)
    named = m is not None
    if base is None:
        base = _base(m, kind, _target_for(frame, line, m))
    n = _names.get(base, 0) + 1
    _names[base] = n
    if named:
        return base if n == 1 else "%s-%d" % (base, n)
    return "%s-%d" % (base, n)


def _declare_object(frame, kind, capacity=None, shared=False, w=None):
    """Declares a user object (for worker `w`, if the caller knows it); returns its JSON id
    fragment ('"o":3,"opid":4242')."""
    if w is None:
        w = _me()
        if w is None:
            return None
    return _declare_named(_name_for(frame, kind), kind, capacity, shared, w)


def _declare_named(name, kind, capacity=None, shared=False, w=None):
    """Declares an object under a name of our choosing (an asyncio Condition's own lock, a
    loop's default executor); returns its id fragment, or None from a hidden thread."""
    if w is None:
        w = _me()
        if w is None:
            return None
    o = next(_next_o)  # atomic: one C call under the GIL
    j = '"o":%d,"opid":%d' % (o, _pid)
    tail = '"op":"object",%s,"name":%s,"kind":"%s"' % (j, _q(name), kind)
    if capacity is not None:
        tail += ',"capacity":%d' % capacity
    if shared:
        tail += ',"shared":true'
    _emit(w, tail + "}", now=shared)
    return j


_LABEL = 60


def _label(x):
    """An item's label (at most 60 characters, JSON-quoted), made without running any code
    of the program's: its own __repr__ may take a lock the thread holds, or wait. Built-in
    values are written as repr would, cut before they are written (a 4 MB item costs what
    a short one does); any other object is named by its type."""
    try:
        s = x if type(x) is str else _text(x, _LABEL + 1)
    except Exception:  # a container another thread changed while it was read
        s = type(x).__name__
    return _q(s if len(s) <= _LABEL else s[: _LABEL - 3] + "...")


_SCALARS = (int, float, complex, bool, type(None))
_BRACKETS = {list: "[]", tuple: "()", set: "{}", frozenset: "{}", dict: "{}"}


def _text(x, room):
    """repr(x) for built-in values, at least `room` characters of it when it is longer;
    the type's name for anything else."""
    t = type(x)
    if t in _SCALARS:
        return repr(x) if t is not int or x.bit_length() < 256 else "<int>"
    if t is str or t is bytes or t is bytearray:
        return repr(x[:room])
    b = _BRACKETS.get(t)
    if b is None:
        fields = getattr(t, "_fields", None)  # a namedtuple: its class made by the library
        if isinstance(x, tuple) and type(fields) is tuple:
            return t.__name__ + _seq(zip(fields, x), "()", room, "%s=")
        if isinstance(x, _Enum):
            return "%s.%s" % (t.__name__, x._name_)
        return t.__name__
    if t is dict:
        return _seq(x.items(), b, room, "%s: ")
    if t is set or t is frozenset:
        if not x:
            return t.__name__ + "()"
        return _seq(x, b, room) if t is set else "frozenset(%s)" % _seq(x, b, room)
    return _seq(x, b, room) if t is not tuple or len(x) != 1 else "(%s,)" % _text(x[0], room)


def _seq(xs, brackets, room, key=None):
    """The items of a built-in container, comma-separated, until `room` is used."""
    parts, used = [], 0
    for x in xs:
        if used >= room:
            parts.append("...")
            break
        if key is None:
            p = _text(x, room - used)
        else:
            k, v = x
            p = (key % (k if type(k) is str and key == "%s=" else _text(k, room - used))) + _text(v, room - used)
        parts.append(p)
        used += len(p) + 2
    return brackets[0] + ", ".join(parts) + brackets[1]


def _posing_as(fn, module, name):
    """Gives a replacement the name it replaces, so pickle (spawn, Pool tasks, a Manager's
    registry) finds it where the original was, in this process and in a child (by module
    and qualified name), and `__name__` is the original's own (threading.Lock is
    `allocate_lock` up to 3.12)."""
    fn.__module__, fn.__qualname__ = module.__name__, name
    fn.__name__ = getattr(getattr(module, name, None), "__name__", name)
    return fn


def _tf(ok):
    return "true" if ok else "false"


def _unshim(e):
    """Takes the shim's own frames out of `e`'s traceback, called where an exception leaves
    a wrapper: code that prints or counts frames sees what it sees untraced. On Python 3.11+
    the bare `raise` after it keeps the traceback as left here; before 3.11 it re-raises the
    exception being handled, saved with the traceback it was caught with (the wrapper's own
    frame first), which is set to the trimmed one (`_set_handled`)."""
    tb = caught = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    e.__traceback__ = head = tb
    while tb is not None:
        after = tb.tb_next
        while after is not None and after.tb_frame.f_code.co_filename == __file__:
            after = after.tb_next
        if tb.tb_next is not after:
            tb.tb_next = after
        tb = after
    if _OLD_RAISE and head is not caught:
        _set_handled(type(e), e, head)
    return head


_OLD_RAISE = sys.version_info < (3, 11)  # a bare raise re-raises the saved traceback


def _set_handled(t, v, tb):
    """The exception being handled, as a bare `raise` (before 3.11) raises it: C's
    PyErr_SetExcInfo, through the native module (3.10) or ctypes (3.8/3.9), loaded at the
    first use. Where neither can, the outermost wrapper's frame stays in the traceback."""
    global _set_handled
    if _native is not None:
        _set_handled = _native.set_handled
    else:
        try:
            import ctypes

            # Prototypes of our own: ctypes.pythonapi's functions are the program's to set
            # argtypes on, and must stay as it left them.
            obj, api = ctypes.py_object, ctypes.pythonapi
            take = ctypes.PYFUNCTYPE(None, obj, obj, obj)(("PyErr_SetExcInfo", api))
            incref = ctypes.PYFUNCTYPE(None, obj)(("Py_IncRef", api))

            def by_ctypes(t, v, tb):
                for x in (t, v, tb):
                    incref(x)  # PyErr_SetExcInfo takes the references over
                take(t, v, tb)

            _set_handled = by_ctypes
        except Exception:
            _set_handled = lambda t, v, tb: None  # noqa: E731
    _set_handled(t, v, tb)


def _waiting(w, j, call, *args):
    """wait_begin, the call, wait_end: ok=false when the call raises (a broken barrier, a
    result that timed out or failed)."""
    try:
        _emit(w, '"op":"wait_begin",%s}' % j, now=True)
        ok = False
        try:
            r = call(*args)
            ok = True
            return r
        finally:
            _emit(w, '"op":"wait_end",%s,"ok":%s}' % (j, _tf(ok)))
    except BaseException as e:
        _unshim(e)
        raise


# ── threading: Lock and RLock (C types: wrapped) ────────────────────────────────────


_RCOUNT = re.compile(r"count=(\d+)")


def _rcount_by_repr(raw):
    """An RLock's recursion count, before 3.11 (no `_recursion_count`): the one its repr
    shows, if this thread holds it (the count of what this thread can release), else 0."""
    if not raw._is_owned():
        return 0
    m = _RCOUNT.search(repr(raw))
    return int(m.group(1)) if m else 1


def _rcount_by_method(raw):
    return raw._recursion_count()


_rcount = _rcount_by_method if hasattr(_thread.RLock(), "_recursion_count") else _rcount_by_repr


def _release_n(n=1):
    return n


_SEM_TAKES_N = sys.version_info >= (3, 9)  # Semaphore.release(n)


def _acquire_args(blocking=True, timeout=-1):
    return blocking, timeout


class _PyLockCore:
    """What the native `LockCore` holds, for the pure-Python path: the real lock `_l`, its
    id fragment `_j`, and `_k`, the (o, opid) its records name."""

    __slots__ = ("_l", "_j", "_k", "__weakref__")

    def __init__(self, raw=None, j=None):
        # No arguments: a subclass of the program's, made as it makes an RLock: a real
        # lock, untraced (as the native LockCore makes it).
        self._l = raw if raw is not None else type(self)._real()
        self._j = j
        self._k = _key(j) if _PACK and j else None


class _TracedLock(_native.LockCore if _native is not None else _PyLockCore):
    """threading.Lock with events. `_is_owned` is event-free so Condition asks it quietly.
    The hot path: its events go as records, with no text made per event. With the native
    core, `acquire`/`release`/`with` are C methods that record a free lock's round with no
    Python frame and call `_acquire_slow`/`_release_slow` for everything else."""

    __slots__ = ()

    def _depth(self, ok):
        """Extra fields of acquire_end (an RLock adds its depth)."""
        return ""

    def __init_subclass__(cls, **kw):
        # A class of the program's on a traced lock's type: refused where the real type
        # refuses one (a Lock's), in its words (the pure-Python path's classes are Python's,
        # which any class may subclass).
        real = getattr(cls, "_real", None)
        if real is not None and not real.__flags__ & _BASETYPE:
            raise TypeError("type '%s.%s' is not an acceptable base type"
                            % (real.__module__, real.__qualname__))
        # (Not super(): on the native path this method is set on a class of its own.)
        if kw:
            raise TypeError("%s.__init_subclass__() takes no keyword arguments" % cls.__name__)

    # An RLock's records carry its depth (the recursion count + 1; 0 for a plain Lock).
    _reentrant = False

    # Where the native core loads, these run only for what it hands over (a lock that is
    # taken, a gate, a thread not yet seen); elsewhere they are the whole path.
    def _acquire_slow(self, *args, **kw):
        try:
            if self._j is None:  # a subclass of the program's: a real lock, untraced
                return self._l.acquire(*args, **kw)
            blocking, timeout = True, -1
            if args or kw:
                try:
                    blocking, timeout = _acquire_args(*args, **kw)
                except TypeError:  # not acquire's arguments: the real lock says so, in its words
                    return self._l.acquire(*args, **kw)
            w = _wids.get(_get_ident(), _UNKNOWN)
            if w is _UNKNOWN:
                w = _adopt()
            if w is None:
                return self._l.acquire(blocking, timeout)
            j, raw, k = self._j, self._l, self._k
            if _gated:
                _gate(w, "acquire", j)
                k = None  # gated: text lines, which the scheduler reads in their order
            if k is not None and blocking and raw.acquire(False):
                # Free: taken at once, one record (its t after the lock was taken).
                _record(w, _ACQUIRED, k, _rcount(raw) + 1 if self._reentrant else 0)
                return True
            if k is None:
                _emit(w, '"op":"acquire_begin",%s}' % j)
            else:
                _record(w, _ACQUIRE_BEGIN, k)
            ok = False
            try:
                if not blocking:
                    ok = raw.acquire(blocking, timeout)
                elif raw.acquire(False):
                    ok = True
                else:
                    _flush()  # it will wait: let the viewer see that now
                    ok = raw.acquire(True, timeout)
            finally:
                if k is None:
                    _emit(w, '"op":"acquire_end",%s,"ok":%s%s}' % (j, _tf(ok), self._depth(ok)))
                else:
                    x = _rcount(raw) + 1 if self._reentrant and ok else int(self._reentrant)
                    _record(w, _ACQUIRE_END if ok else _ACQUIRE_FAILED, k, x)
            return ok
        except BaseException as e:
            _unshim(e)
            raise

    def _release_slow(self):
        try:
            w = _wids.get(_get_ident(), _UNKNOWN)
            if w is _UNKNOWN:
                w = _adopt()
            if w is not None and self._j is not None and self._l.locked():
                k = self._k
                if _gated:
                    _gate(w, "release", self._j)
                    k = None
                if k is None:
                    _emit(w, '"op":"release",%s}' % self._j)
                else:
                    _record(w, _RELEASE, k)
            self._l.release()
        except BaseException as e:
            _unshim(e)
            raise

    if _native is None:
        acquire = __enter__ = _acquire_slow
        release = _release_slow

        def __exit__(self, *exc):
            try:
                self.release()
            except BaseException as e:
                _unshim(e)
                raise

    def locked(self):
        return self._l.locked()

    def _is_owned(self):
        if self._l.acquire(False):
            self._l.release()
            return False
        return True

    def _at_fork_reinit(self):
        self._l._at_fork_reinit()

    def __repr__(self):
        return repr(self._l)


class _TracedRLock(_TracedLock):
    """threading.RLock with events; `depth` is the recursion count after each op."""

    __slots__ = ()

    def _depth(self, ok):
        return ',"depth":%d' % (_rcount(self._l) if ok else 0)

    _reentrant = True

    def _release_slow(self):
        try:
            w = _me()
            raw = self._l
            if w is not None and self._j is not None and raw._is_owned():
                k = self._k
                if _gated:
                    _gate(w, "release", self._j)
                    k = None
                if k is None:
                    _emit(w, '"op":"release",%s,"depth":%d}' % (self._j, _rcount(raw) - 1))
                else:
                    _record(w, _RELEASE, k, _rcount(raw))
            raw.release()
        except BaseException as e:
            _unshim(e)
            raise

    if _native is None:
        release = _release_slow

    # Condition's hooks: a wait gives the lock up whole and takes it back at the same depth.
    def _release_save(self):
        w = _me()
        if w is not None and self._j is not None and self._l._is_owned():
            _emit(w, '"op":"release",%s,"depth":0}' % self._j)
        return self._l._release_save()

    def _acquire_restore(self, state):
        w = _me()
        if w is None or self._j is None:
            return self._l._acquire_restore(state)
        _emit(w, '"op":"acquire_begin",%s}' % self._j)
        self._l._acquire_restore(state)
        _emit(w, '"op":"acquire_end",%s,"ok":true%s}' % (self._j, self._depth(True)))

    def _is_owned(self):
        return self._l._is_owned()

    def _recursion_count(self):
        return _rcount(self._l)


def _final(cls, real):
    """The class a traced lock is made of: on the native path a final class of the native
    module's with cls's Python methods set on it, whose instances the collector does not
    track (a Python subclass's instances it walks, more slowly than real locks: making
    50,000 locks cost 5.5x plain, not 3.5-4x); elsewhere cls itself. It can be subclassed
    where the `real` type can (an RLock's; a Lock's cannot). The final class is named as
    `real` is (`_thread.lock`): the program's messages about it, and its repr, are untraced."""
    cls._real = real  # what a subclass of the program's makes, untraced (see LockCore)
    if _native is None:
        return cls  # named as the shim's: pickle finds it by that name (to refuse it as untraced)
    final = _native.lock_class(bool(real.__flags__ & _BASETYPE))  # named as `real` is
    for c in reversed(cls.__mro__):
        if c not in (object, _native.LockCore):
            for k, v in vars(c).items():
                if k not in ("__dict__", "__weakref__", "__slots__", "__module__", "__doc__"):
                    setattr(final, k, v)
    final.__doc__ = real.__doc__
    return final


_BASETYPE = 1 << 10  # Py_TPFLAGS_BASETYPE


def _make_lock_factory(raw_factory, cls, kind):
    def factory(*args, **kwargs):
        raw = raw_factory(*args, **kwargs)
        if _closed:
            return raw
        w = _me()
        if w is None:
            return raw
        f = _creator(None, 2)
        if f is None:
            return raw
        return cls(raw, _declare_object(f, kind, w=w))

    if _native is None:
        return factory
    # The native factory declares a lock from C (see `_lock_site`), and calls `factory`
    # for anything else. Records need an RLock that can say its count (3.11+, or ours).
    counts = not cls._reentrant or hasattr(raw_factory, "_recursion_count")
    return _native.LockMaker(raw_factory, cls, kind, factory, cls._reentrant, counts)


# ── threading: pure-Python classes, patched in place ────────────────────────────────


def _declared(obj):
    """obj's id fragment, or None: read without asking for obj.__dict__ (CPython 3.11+
    then keeps the object's attributes in a dict for good, and every attribute access of
    the program's on it is slower) and without the class's own __getattr__."""
    try:
        return object.__getattribute__(obj, "_tl_j")
    except AttributeError:
        return None


def _user_init(cls, kind, capacity_of=None, shared=False, keyed=None):
    """Wraps cls.__init__ so user-made instances get `_tl_j`, their id fragment (and where
    `keyed(self)`, `_tl_k`: the (o, opid) their records name)."""
    orig = cls.__init__

    def __init__(self, *args, **kwargs):
        orig(self, *args, **kwargs)
        if _declared(self) is not None or _closed or _me() is None:
            return
        f = _creator(self, 2)
        if f is not None:
            cap = capacity_of(self, *args, **kwargs) if capacity_of else None
            j = self._tl_j = _declare_object(f, kind(self) if callable(kind) else kind, cap, shared)
            if keyed is not None and _PACK and j and keyed(self):
                self._tl_k = _key(j)

    __init__.__wrapped__ = orig
    cls.__init__ = __init__


def _traced(self):
    """(worker, id fragment) for a traced object used by a traced thread, else (None, None)."""
    j = _declared(self)
    if j is None:
        return None, None
    w = _me()
    return (w, j) if w is not None else (None, None)


def _patch_threading():
    import threading

    # threading.Lock itself makes the real ones: allocate_lock up to 3.12, the lock type
    # from 3.13 (its errors are the program's to see, in their words).
    real_rlock = threading._CRLock or threading._PyRLock
    lock = _final(_TracedLock, type(threading.Lock()))
    rlock = _final(_TracedRLock, real_rlock if isinstance(real_rlock, type) else type(real_rlock()))
    threading.Lock = _posing_as(_make_lock_factory(threading.Lock, lock, "lock"), threading, "Lock")
    threading.RLock = _posing_as(
        _make_lock_factory(real_rlock, rlock, "rlock"), threading, "RLock")

    # Semaphore and BoundedSemaphore: one slot per acquire; release(n) frees n.
    Sem, BSem = threading.Semaphore, threading.BoundedSemaphore
    s_acquire, s_release, b_release = Sem.acquire, Sem.release, BSem.release
    _user_init(Sem, lambda s: "bounded_semaphore" if isinstance(s, BSem) else "semaphore",
               lambda s, value=1, *a, **k: value)

    def acquire(self, blocking=True, timeout=None):
        try:
            w, j = _traced(self)
            if w is None:
                return s_acquire(self, blocking, timeout)
            if _gated:
                _gate(w, "acquire", j)
            _emit(w, '"op":"acquire_begin",%s}' % j, now=blocking and self._value == 0)
            ok = False
            try:
                ok = s_acquire(self, blocking, timeout)
            finally:
                _emit(w, '"op":"acquire_end",%s,"ok":%s}' % (j, _tf(ok)))
            return ok
        except BaseException as e:
            _unshim(e)
            raise

    def releaser(orig):
        def release(self, *args, **kwargs):
            # Passed on as given: Python 3.8's release takes no n, and says so in its words
            # (nothing is said released then).
            try:
                if _SEM_TAKES_N:
                    try:
                        n = _release_n(*args, **kwargs)
                    except TypeError:  # not release's arguments: said by the real one
                        n = 0
                else:
                    n = 0 if args or kwargs else 1
                w, j = _traced(self)
                bounded = isinstance(self, BSem)
                if (w is not None and isinstance(n, int) and n >= 1
                        and not (bounded and self._value + n > self._initial_value)):
                    if _gated:
                        _gate(w, "release", j)
                    for _ in range(n):
                        _emit(w, '"op":"release",%s}' % j)
                return orig(self, *args, **kwargs)
            except BaseException as e:
                _unshim(e)
                raise

        return release

    Sem.acquire = acquire
    Sem.__enter__ = acquire
    Sem.release = releaser(s_release)
    BSem.release = releaser(b_release)

    # Event: a flag; wait_end ok=false on a timeout.
    Ev = threading.Event
    e_set, e_clear, e_wait = Ev.set, Ev.clear, Ev.wait
    _user_init(Ev, "event")

    def ev_set(self):
        w, j = _traced(self)
        if w is not None:
            if _gated:
                _gate(w, "set", j)
            _emit(w, '"op":"set",%s}' % j)
        return e_set(self)

    def ev_clear(self):
        w, j = _traced(self)
        if w is not None:
            if _gated:
                _gate(w, "clear", j)
            _emit(w, '"op":"clear",%s}' % j)
        return e_clear(self)

    def ev_wait(self, timeout=None):
        try:
            w, j = _traced(self)
            if w is None:
                return e_wait(self, timeout)
            if _gated:
                _gate(w, "wait", j)
            _emit(w, '"op":"wait_begin",%s}' % j, now=not self._flag)
            ok = False
            try:
                ok = e_wait(self, timeout)
            finally:
                _emit(w, '"op":"wait_end",%s,"ok":%s}' % (j, _tf(ok)))
            return ok
        except BaseException as e:
            _unshim(e)
            raise

    Ev.set, Ev.clear, Ev.wait = ev_set, ev_clear, ev_wait

    # Condition: its lock is given up and taken back inside wait() through _release_save and
    # _acquire_restore; the wait events go between the two, so the stream reads
    # release(lock) wait_begin(cond) ... wait_end(cond) acquire(lock).
    Cond = threading.Condition
    c_notify, c_notify_all = Cond.notify, Cond.notify_all
    orig_cinit = Cond.__init__

    def cond_init(self, lock=None):
        orig_cinit(self, lock)
        if _closed or _me() is None:
            return
        f = _creator(self, 2)
        if f is None:
            return
        j = self._tl_j = _declare_object(f, "condition")
        rs, ar = self._release_save, self._acquire_restore

        def _release_save():
            state = rs()
            w = _me()
            if w is not None:
                _emit(w, '"op":"wait_begin",%s}' % j, now=True)
            return state

        def _acquire_restore(state):
            w = _me()
            if w is not None:
                # Condition.wait calls this from its finally block; its local `gotit` says
                # whether it was notified (False: the timeout ran out).
                caller = sys._getframe(1)
                ok = caller.f_code.co_name != "wait" or caller.f_locals.get("gotit", True)
                _emit(w, '"op":"wait_end",%s,"ok":%s}' % (j, _tf(ok)))
            ar(state)

        self._release_save, self._acquire_restore = _release_save, _acquire_restore

    notify, notify_all = _notifies(c_notify, c_notify_all, gate=True, now=False)
    Cond.__init__, Cond.notify, Cond.notify_all = cond_init, notify, notify_all
    Cond.notifyAll = notify_all

    # Barrier: wait_end ok=false when it breaks.
    Bar = threading.Barrier
    b_wait = Bar.wait
    _user_init(Bar, "barrier", lambda s, parties, *a, **k: parties)

    def bar_wait(self, timeout=None):
        try:
            w, j = _traced(self)
            if w is None:
                return b_wait(self, timeout)
            if _gated:  # step mode: each arrival at the barrier is a step of its own
                _gate(w, "wait", j)
            return _waiting(w, j, b_wait, self, timeout)
        except BaseException as e:
            _unshim(e)
            raise

    Bar.wait = bar_wait

    _patch_thread_class(threading)


def _hidden_target(thread):
    """multiprocessing's helper threads (queue feeders, pool handlers, a manager's server,
    a process pool's manager thread): by their target, or by their class."""
    internal = ("multiprocessing", "concurrent.futures.process", "asyncio.")
    mod = getattr(getattr(thread, "_target", None), "__module__", None) or ""
    return mod.startswith(internal) or type(thread).__module__.startswith(internal)


def _patch_thread_class(threading):
    T = threading.Thread
    t_start, t_boot, t_join = T.start, T._bootstrap_inner, T.join

    def start(self):
        try:
            if "_started" not in self.__dict__:
                return t_start(self)  # __init__ was not called: Python's own RuntimeError
            w = _me()
            if w is not None and not _hidden_target(self) and not self._started.is_set():
                tw = _new_w()
                self._tl_w = tw
                _declare_worker(tw, self.name, "thread", self.daemon, w)
            try:
                return t_start(self)
            except BaseException as e:
                tw = self.__dict__.get("_tl_w")
                if tw is not None and not self._started.is_set():
                    _emit(tw, '"op":"exit","how":"panic","msg":%s}' % _q(repr(e)), now=True)
                raise
        except BaseException as e:
            _unshim(e)
            raise

    def _bootstrap_inner(self):
        tw = self.__dict__.get("_tl_w")
        ident = _get_ident()
        _wids[ident] = tw
        if tw is None:
            return t_boot(self)
        _live[tw] = self
        how = ["ok", None]
        # An exception that ends run() is seen where threading hands it to its excepthook
        # (SystemExit too, which ends a thread quietly: no panic), not by wrapping run(): a
        # wrapper's frame would show in the traceback the program prints.
        hook = self.__dict__.get("_invoke_excepthook")
        if hook is not None:

            def seen(thread, _hook=hook):
                e = sys.exc_info()[1]
                if not isinstance(e, SystemExit):  # sys.exit in a thread ends it quietly
                    how[0], how[1] = "panic", repr(e)
                return _hook(thread)

            self._invoke_excepthook = seen
        _emit(tw, '"op":"start"}')
        try:
            t_boot(self)
        finally:
            _wids.pop(ident, None)
            if _live.pop(tw, None) is not None:
                msg = ',"msg":%s' % _q(how[1]) if how[1] else ""
                _emit(tw, '"op":"exit","how":"%s"%s}' % (how[0], msg), now=True)

    def join(self, timeout=None):
        try:
            w, tw = _me(), self.__dict__.get("_tl_w")
            if w is None or tw is None:
                return t_join(self, timeout)
            if _gated:
                _gate(w, "join", '"target":%d' % tw)
            _emit(w, '"op":"join_begin","target":%d}' % tw, now=True)
            try:
                return t_join(self, timeout)
            finally:
                _emit(w, '"op":"join_end","target":%d,"ok":%s}' % (tw, _tf(not self.is_alive())))
        except BaseException as e:
            _unshim(e)
            raise

    T.start, T._bootstrap_inner, T.join = start, _bootstrap_inner, join


# ── queue ───────────────────────────────────────────────────────────────────────────


_moving = set()  # (id(queue), "put"|"get") while an item goes through its hooks


def _ends_where_items_move(cls, traced, depth):
    """Wraps the _put and _get a queue class defines itself (where an item really goes in and
    comes out) to write put_end and get_end; `traced(q)` says who did it, `depth(q)` how deep
    q is. An item is written once however many hooks it passes (a subclass's _put that
    calls its base's): by the outermost."""

    def wrap(name, orig):
        def hook(self, *item):
            key = (id(self), name)
            if key in _moving:
                return orig(self, *item)
            _moving.add(key)
            try:
                got = orig(self, *item)
            finally:
                _moving.discard(key)
            w, j = traced(self)
            if w is not None:
                moved = item[0] if item else got
                _emit(w, '"op":"%s_end",%s,"item":%s,"depth":%d,"ok":true}' % (name, j, _label(moved), depth(self)))
            return got

        hook._tl_hook = True
        return hook

    for name in ("put", "get"):
        orig = cls.__dict__.get("_" + name)
        if orig is not None and not getattr(orig, "_tl_hook", False):
            setattr(cls, "_" + name, wrap(name, orig))


def _patch_queue():
    import queue

    Q = queue.Queue
    kinds = {queue.Queue: "queue", queue.LifoQueue: "lifo_queue", queue.PriorityQueue: "priority_queue"}

    def kind_of(q):
        for cls in type(q).__mro__:
            if cls in kinds:
                return kinds[cls]
        return "queue"

    _user_init(Q, kind_of, lambda s, maxsize=0, *a, **k: max(maxsize, 0))
    q_put, q_get, q_done, q_join = Q.put, Q.get, Q.task_done, Q.join

    # The _end events are written from _put/_get, which run under the queue's mutex, so their
    # order and depths are the queue's true ones.
    for cls in kinds:
        _ends_where_items_move(cls, _traced, lambda q: q._qsize())

    # A subclass's own hooks (the documented way to make a queue of another order).
    def init_subclass(cls, **kwargs):
        super(Q, cls).__init_subclass__(**kwargs)
        _ends_where_items_move(cls, _traced, lambda q: q._qsize())

    Q.__init_subclass__ = classmethod(init_subclass)

    def put(self, item, block=True, timeout=None):
        try:
            w, j = _traced(self)
            if w is None:
                return q_put(self, item, block, timeout)
            if _gated:
                _gate(w, "put", j)
            full = 0 < self.maxsize <= self._qsize()
            _emit(w, '"op":"put_begin",%s,"item":%s}' % (j, _label(item)), now=block and full)
            try:
                return q_put(self, item, block, timeout)
            except BaseException:
                _emit(w, '"op":"put_end",%s,"item":%s,"depth":%d,"ok":false}' % (j, _label(item), self._qsize()))
                raise
        except BaseException as e:
            _unshim(e)
            raise

    def get(self, block=True, timeout=None):
        try:
            w, j = _traced(self)
            if w is None:
                return q_get(self, block, timeout)
            if _gated:
                _gate(w, "get", j)
            _emit(w, '"op":"get_begin",%s}' % j, now=block and not self._qsize())
            try:
                return q_get(self, block, timeout)
            except BaseException:
                _emit(w, '"op":"get_end",%s,"depth":%d,"ok":false}' % (j, self._qsize()))
                raise
        except BaseException as e:
            _unshim(e)
            raise

    def task_done(self):
        try:
            w, j = _traced(self)
            if w is None:
                return q_done(self)
            q_done(self)
            _emit(w, '"op":"task_done",%s,"unfinished":%d}' % (j, self.unfinished_tasks))
        except BaseException as e:
            _unshim(e)
            raise

    Q.put, Q.get, Q.task_done, Q.join = put, get, task_done, _traced_join(q_join, False)
    _patch_simple_queue(queue)


def _traced_join(orig, shared):
    """A queue's join (threading's, or multiprocessing's, `shared` by processes: its end is
    said at once too): a wait until every task is done."""

    def join(self):
        try:
            w, j = _traced(self)
            if w is None:
                return orig(self)
            _emit(w, '"op":"join_begin",%s}' % j, now=True)
            try:
                return orig(self)
            finally:
                _emit(w, '"op":"join_end",%s}' % j, now=shared)
        except BaseException as e:
            _unshim(e)
            raise

    return join


def _patch_simple_queue(queue):
    """queue.SimpleQueue (a C type: a subclass of it stands in its name)."""
    base = queue.SimpleQueue

    class SimpleQueue(base):
        def put(self, item, block=True, timeout=None):
            try:
                w, j = _traced(self)
                if w is None:
                    return base.put(self, item, block, timeout)
                _emit(w, '"op":"put_begin",%s,"item":%s}' % (j, _label(item)))
                base.put(self, item, block, timeout)
                _emit(w, '"op":"put_end",%s,"item":%s,"depth":%d,"ok":true}' % (j, _label(item), self.qsize()))
            except BaseException as e:
                _unshim(e)
                raise

        def get(self, block=True, timeout=None):
            try:
                w, j = _traced(self)
                if w is None:
                    return base.get(self, block, timeout)
                _emit(w, '"op":"get_begin",%s}' % j, now=block and self.empty())
                ok = False
                try:
                    item = base.get(self, block, timeout)
                    ok = True
                finally:
                    if not ok:
                        _emit(w, '"op":"get_end",%s,"depth":%d,"ok":false}' % (j, self.qsize()))
                _emit(w, '"op":"get_end",%s,"item":%s,"depth":%d,"ok":true}' % (j, _label(item), self.qsize()))
                return item
            except BaseException as e:
                _unshim(e)
                raise

        def put_nowait(self, item):
            return self.put(item, False)

        def get_nowait(self):
            return self.get(False)

    _user_init(SimpleQueue, "queue")
    queue.SimpleQueue = _posing_as(SimpleQueue, queue, "SimpleQueue")


# ── asyncio: each task a lane under its loop's thread ───────────────────────────────

_ASYNCIO_DIR = os.sep + "asyncio" + os.sep
_tasks = {}  # id(task) -> worker id, for the tasks alive
_task_started = set()
_task_decl = {}  # worker id -> (name, parent, thread) as declared
_task_refs = {}  # worker id -> weak reference to its task, for the tasks alive
_runs_ending = set()  # loops whose asyncio.run is cancelling the tasks left


def _like(fn, orig):
    """A replacement that reads as the original: its name, module, doc and signature."""
    import functools

    return functools.update_wrapper(fn, orig)


def _ours(fn):
    """Marks a done callback of ours: a task's repr does not show it (_patch_async_repr)."""
    fn._tl_ours = True
    return fn


_DEFAULT_NAME = re.compile(r"Task-(\d+)$")


def _task_name(task, name):
    """`name` (Task.get_name()), or for asyncio's default name "Task-7" the coroutine's:
    "fetch-7"."""
    if not name.startswith("Task-"):
        return name
    m = _DEFAULT_NAME.match(name)
    code = getattr(task.get_coro(), "__qualname__", None) if m else None
    return "%s-%s" % (code.rsplit(".", 1)[-1], m.group(1)) if code else name


def _declare_task(w, task, parent, thread):
    # Not written at once, as a thread's declaration is: a task's lines go in its own
    # process's order anyway, and a program of thousands of tasks would pay a send each.
    given = task.get_name()
    _task_decl[w] = (given, parent, thread)
    tail = '"op":"worker","name":%s,"kind":"task","daemon":false,"parent":%d,"thread":%d}' % (
        _q(_task_name(task, given)), parent, thread)
    _emit(w, tail)


def _started(w, task):
    """A task's first traced step: its start, under the name it has by now (create_task
    names it after the loop made it)."""
    _task_started.add(w)
    _renamed(w, task)
    _emit(w, '"op":"start"}')


def _renamed(w, task):
    """Declares task `w` again if its name changed since (create_task(name=...) names it
    after the loop made it): before it is first named in another's event."""
    given, parent, thread = _task_decl.get(w, (None, 0, 0))
    if task is not None and task.get_name() != given:
        _declare_task(w, task, parent, thread)


# The running task of a loop is `_cur_get(loop)`, and this thread's running loop
# `_cur_loop()`, once asyncio is patched (_current_task_of).
_cur_get = _cur_loop = None
_NO_TASK = (None, None, 0, None, 0)
_marks = itertools.count(1)
# (thread ident, loop, task id, worker, mark) of the traced task `_task_w` saw last, on any
# thread; the mark is new each time a task is seen.
# While that task is still its loop's running one on that thread, nothing of its bookkeeping
# can have changed (every other task seen replaces it; its end clears it before its id can
# be reused), so an await in a loop of them costs a thread id and a dict look-up: not
# asyncio's running-loop look-up (a getpid() system call each in 3.11).
_last_task = _NO_TASK
# Threads traced tasks were made on. While it is one, an await (a sleep, an asyncio.Lock's
# `async with`) needs no thread id to know it runs on the thread of the task seen last:
# asyncio's objects are used on their loop's thread, and a loop makes its tasks there.
_task_threads = {}
_one_task_thread = True


def _task_w():
    """The worker id of the asyncio task running on this thread, or None."""
    last = _last_task
    if last[0] == _get_ident() and id(_cur_get(last[1])) == last[2]:
        return last[3]
    return _task_w_found()


def _task_w_found():
    """`_task_w` for a task other than the one seen last: found, its first step said, and
    the task that ran on this thread before it seen awaiting."""
    global _last_task
    if not _tasks:
        return None
    try:
        loop = _cur_loop()
        t = _cur_get(loop)
    except RuntimeError:  # no loop running on this thread
        return None
    key = id(t)
    w = _tasks.get(key)
    if w is None:
        return None
    if w not in _task_started:
        # A task's start is seen at its first traced step (asyncio has no hook for it).
        _started(w, t)
    ident = _get_ident()
    last = _ran_last.get(ident)
    if last != w:
        _ran_last[ident] = w
        if last is not None:
            _seen_awaiting(last)
    _last_task = (ident, loop, key, w, next(_marks))
    return w


_ran_last = {}  # thread ident -> the traced task seen running there last
_awaited = {}  # task worker id -> the tasks seen awaiting it directly
_join_of = {}  # task worker id -> the task it is seen awaiting


def _seen_awaiting(w):
    """Task `w` has stopped running (another runs on its thread now). If what it awaits is
    a traced task — a plain `await task`, which asyncio gives no hook for — it joins that
    task from now until it ends: seen at the next traced step of another task on the
    thread, not before (a hook at each turn of the loop would cost every await)."""
    ref = _task_refs.get(w)
    fut = getattr(ref(), "_fut_waiter", None) if ref is not None else None
    x = _tasks.get(id(fut)) if fut is not None else None
    if x is None or x == w or w in _join_of:
        return
    if x not in _task_started:
        _renamed(x, fut)
    _join_of[w] = x
    _awaited.setdefault(x, []).append(w)
    _emit(w, '"op":"join_begin","target":%d}' % x)


def _end_joins(x, ok):
    """Task `x` ended: the tasks seen awaiting it are woken by it."""
    for a in _awaited.pop(x, ()):
        if _join_of.pop(a, None) == x:
            _emit(a, '"op":"join_end","target":%d,"ok":%s}' % (x, _tf(ok)))


def _leave_join(w):
    """Task `w` ends while seen awaiting another: that wait ends, not ok."""
    x = _join_of.pop(w, None)
    if x is not None:
        joiners = _awaited.get(x, ())
        if w in joiners:
            joiners.remove(w)
        _emit(w, '"op":"join_end","target":%d,"ok":false}' % x)


def _task_done(task):
    global _last_task
    w = _tasks.pop(id(task), None)
    if w is None:
        return
    _last_task = _NO_TASK
    _task_refs.pop(w, None)
    if w not in _task_started:
        _started(w, task)
    _task_started.discard(w)
    _task_decl.pop(w, None)
    if task.cancelled():
        ending = _task_loop(task) in _runs_ending
        tail = '"how":"cancelled"' + (',"msg":"pending when asyncio.run ended"' if ending else "")
    else:
        # Not task.exception(): that marks the exception retrieved, and the program's own
        # "Task exception was never retrieved" warning would be lost.
        exc = getattr(task, "_exception", None)
        tail = '"how":"ok"' if exc is None else '"how":"panic","msg":%s' % _q(repr(exc))
    _leave_join(w)
    _emit(w, '"op":"exit",%s}' % tail)
    _end_joins(w, True)


_ours(_task_done)


def _task_loop(task):
    try:
        return task.get_loop()
    except Exception:
        return None


def _task_gone(w, key, how, msg):
    """A task that will never finish (its loop closed, or it was destroyed pending): its
    lane ends as asyncio leaves it."""
    global _last_task
    if _tasks.get(key) != w:
        return
    del _tasks[key]
    _last_task = _NO_TASK
    _task_refs.pop(w, None)
    _task_started.discard(w)
    _task_decl.pop(w, None)
    _leave_join(w)
    _emit(w, '"op":"exit","how":"%s","msg":%s}' % (how, _q(msg)), now=True)
    _end_joins(w, False)


def _task_track(w, task):
    """Keeps a weak reference to a traced task (a strong one would change when asyncio
    destroys a pending task, and its warning with it)."""
    import weakref

    key = id(task)
    _tasks[key] = w
    _task_refs[w] = weakref.ref(task, lambda _r: _task_gone(w, key, "killed", "destroyed while pending"))
    task.add_done_callback(_task_done)


def _task_leftovers():
    """The process ends: tasks still pending (a loop never closed) end with it."""
    for w, ref in list(_task_refs.items()):
        t = ref()
        if t is not None and not t.done():
            _task_gone(w, id(t), "killed", "pending when the program ended")


def _current_task_of(aio):
    """(get, loop): the running task is `get(loop())`, with no Python frame of asyncio's.
    3.11 keeps the running tasks in a dict by loop; later ones have current_task in C,
    which takes the loop (and raises RuntimeError for none, as `_task_w` expects)."""
    cur, running = aio.tasks.current_task, getattr(aio.events, "_get_running_loop", None)
    tasks = getattr(aio.tasks, "_current_tasks", None)
    if running is None:
        return (lambda _loop: cur()), (lambda: None)
    if type(cur).__name__ != "builtin_function_or_method" and isinstance(tasks, dict):
        return tasks.get, running
    return cur, running


def _patch_asyncio(aio):
    global _cur_get, _cur_loop
    _cur_get, _cur_loop = _current_task_of(aio)
    base = aio.base_events.BaseEventLoop
    orig_create = base.create_task

    def create_task(self, coro, *args, **kwargs):
        global _one_task_thread
        task = orig_create(self, coro, *args, **kwargs)
        thread = _me()
        code = getattr(coro, "cr_code", None)
        if thread is None or _closed or code is None or _ASYNCIO_DIR in code.co_filename:
            # asyncio's own tasks (shutting down async generators, the executor) are not
            # part of the program's story.
            return task
        _task_threads[_get_ident()] = True
        if len(_task_threads) > 1:
            _one_task_thread = False
        parent = _task_w()
        w = _new_w()
        _declare_task(w, task, thread if parent is None else parent, thread)
        _task_track(w, task)
        return task

    create_task.__wrapped__ = orig_create
    base.create_task = create_task

    orig_sleep = aio.tasks.sleep

    # The commonest await of all: its events go as records (text while the gates are in
    # use, as a traced lock's do), the task seen last known without a look-up. For sleep(0),
    # the hand-back to the loop, asyncio's sleep only awaits its `__sleep0`: awaited here
    # directly (where this asyncio's sleep is seen to), it costs no second coroutine.
    sleep0 = getattr(aio.tasks, "__sleep0", None)
    if "__sleep0" not in orig_sleep.__code__.co_names:
        sleep0 = None

    async def sleep(delay, result=None):
        last = _last_task  # _task_w inline: its call is a tenth of what a sleep(0) adds
        if (_one_task_thread or last[0] == _get_ident()) and id(_cur_get(last[1])) == last[2]:
            w = last[3]
        elif (w := _task_w_found()) is None:
            return await orig_sleep(delay, result)
        zero = delay <= 0  # raises as asyncio's sleep would, before anything is written
        ms = 0 if zero else _ms(delay)
        packed = _PACK and not _gated
        if not packed:
            _emit(w, '"op":"sleep_begin","ms":%d}' % ms)
        elif not _closed:
            _rec.append(_pack(_mono() - _T0, w, _SLEEP_BEGIN, 0, _pid, ms))
        try:
            if zero and sleep0 is not None:
                await sleep0()
                return result
            return await orig_sleep(delay if _SPEED == 1.0 else delay / _SPEED, result)
        finally:
            if not packed:
                _emit(w, '"op":"sleep_end"}')
            elif not _closed:
                _rec.append(_pack(_mono() - _T0, w, _SLEEP_END, 0, _pid, 0))
                if len(_rec) >= _REC_MAX:
                    _flush()

    aio.sleep = aio.tasks.sleep = _like(sleep, orig_sleep)

    locks = aio.locks
    # Read as attributes, never through an instance's __dict__ (see _declared).
    for cls in (locks.Lock, locks.Semaphore, locks.Event, locks.Condition, aio.queues.Queue):
        cls._tl_j = None
    locks.Condition._tl_waits = None
    _user_init(locks.Lock, "lock", keyed=_patch_async_lock(locks.Lock, True))
    _user_init(locks.Semaphore, lambda s: "bounded_semaphore" if isinstance(s, locks.BoundedSemaphore) else "semaphore",
               lambda s, value=1, *a, **k: value, keyed=_patch_async_lock(locks.Semaphore, False))
    _patch_async_event(locks.Event)
    _patch_async_condition(locks.Condition)
    _patch_async_queue(aio.queues)
    for patch in (_patch_async_gather, _patch_async_taskgroup, _patch_async_wait_for, _patch_async_executor,
                  _patch_async_loop_end, _patch_async_repr):
        try:
            patch(aio)
        except Exception:
            pass  # an asyncio whose insides differ: that part left untraced, never broken


def _joining(w, kids, over):
    """The task `w` awaits the traced tasks `kids` (worker id, task) together: it joins the
    first not done, and as each ends, the next — a gather's caller waits for its children
    in submission order, each lane's end waking it. `over()` is true once it stopped
    waiting. Returns the callable that writes the last join_end (ok if that child ended:
    not ok when the wait was cut short)."""
    on = [None]

    def follow(_done=None):
        if over():
            return
        if on[0] is not None:
            _emit(w, '"op":"join_end","target":%d,"ok":true}' % on[0][0])
            on[0] = None
        for kw, kid in kids:
            if not kid.done():
                on[0] = (kw, kid)
                if kw not in _task_started:
                    _renamed(kw, kid)
                _emit(w, '"op":"join_begin","target":%d}' % kw)
                kid.add_done_callback(follow)
                return

    def end(cut):
        if on[0] is not None:
            kw, kid = on[0]
            _emit(w, '"op":"join_end","target":%d,"ok":%s}' % (kw, _tf(kid.done() and not cut)))
            on[0] = None

    _ours(follow)
    follow()
    return end


def _awaiting_all(w, kids, awaitable, cut=None):
    """Awaits `awaitable` (a generator's `yield from` target) as task `w` joining `kids`.
    `cut()` is true while a timeout cancels the children (wait_for up to 3.11): their ends
    then do not count as joined, and the wait ends not ok, timed out — as when the waiting
    task itself is cancelled."""
    stop = [False]
    ref = _task_refs.get(w)

    def over():
        if stop[0] or (cut is not None and cut()):
            return True
        # The waiting task being cancelled (a timeout around its await, from 3.12 wait_for's
        # too) cancels what it awaits first: those ends are the cut, not joins.
        cancelling = getattr(ref() if ref is not None else None, "cancelling", None)
        return cancelling is not None and cancelling() > 0

    end = _joining(w, kids, over)
    timed = False
    try:
        return (yield from awaitable)
    except BaseException as e:
        timed = type(e).__name__ in ("CancelledError", "TimeoutError")
        raise
    finally:
        stop[0] = True
        end(timed)


def _patch_async_taskgroup(aio):
    """A TaskGroup's `async with` ends by waiting for its tasks: joins of them, in the order
    they were made."""
    TG = aio.taskgroups.TaskGroup
    orig_aexit = TG.__aexit__

    async def __aexit__(self, et, exc, tb):
        w = _task_w()
        kids = sorted((kw, t) for t in list(getattr(self, "_tasks", ())) if (kw := _tasks.get(id(t))) is not None)
        if w is None or not kids:
            return await orig_aexit(self, et, exc, tb)
        return await _AwaitAll(w, kids, orig_aexit(self, et, exc, tb))

    TG.__aexit__ = _like(__aexit__, orig_aexit)


class _AwaitAll:
    """An awaitable that awaits a coroutine while its task joins `kids` (see _joining)."""

    __slots__ = ("w", "kids", "coro", "cut")

    def __init__(self, w, kids, coro, cut=None):
        self.w, self.kids, self.coro, self.cut = w, kids, coro, cut

    def __await__(self):
        return _awaiting_all(self.w, self.kids, self.coro.__await__(), self.cut)


def _patch_async_repr(aio):
    """A task's repr lists its done callbacks; ours are left out, so what the program
    prints of a task (and asyncio's "Task was destroyed but it is pending!") is as untraced."""
    bf = aio.base_futures
    orig_info, fmt = bf._future_repr_info, bf._format_callbacks

    def _future_repr_info(future):
        info = orig_info(future)
        cbs = future._callbacks or ()
        theirs = [c for c in cbs if not getattr(c[0], "_tl_ours", False)]
        if len(theirs) == len(cbs):
            return info
        at = next((i for i, s in enumerate(info) if s.startswith("cb=[")), None)
        if at is not None:
            if theirs:
                info[at] = "cb=[%s]" % fmt(theirs)
            else:
                del info[at]
        return info

    bf._future_repr_info = _like(_future_repr_info, orig_info)


def _patch_async_gather(aio):
    """gather's future is a Python class: its await is where the caller waits for its
    children, shown as joins of them one after another."""
    GF = aio.tasks._GatheringFuture
    orig_await = GF.__await__

    def __await__(self):
        w = _task_w()
        kids = [(_tasks.get(id(c)), c) for c in getattr(self, "_children", ())]
        kids = [(kw, c) for kw, c in kids if kw is not None]
        if w is None or self.done() or not kids:
            return (yield from orig_await(self))
        return (yield from _awaiting_all(w, kids, orig_await(self)))

    GF.__await__ = GF.__iter__ = __await__


def _kids_of(fut):
    """The traced tasks a future stands for: itself if it is one, a gather's children."""
    kw = _tasks.get(id(fut))
    if kw is not None:
        return [(kw, fut)]
    return [(kw, c) for c in getattr(fut, "_children", ()) if (kw := _tasks.get(id(c))) is not None]


def _patch_async_wait_for(aio):
    """wait_for with a timeout runs the awaitable as a task of its own (before 3.12): the
    caller joins it (or a gather's children), and a timeout ends the join not ok. From
    3.12 it is asyncio.timeout around a plain await of the awaitable, joined as any."""
    if sys.version_info >= (3, 12):
        return
    orig, orig_cancel = aio.tasks.wait_for, aio.tasks._cancel_and_wait
    cutting = set()  # ids of the futures wait_for is cancelling for their timeout

    async def _cancel_and_wait(fut, loop):
        cutting.add(id(fut))
        try:
            return await orig_cancel(fut, loop)
        finally:
            cutting.discard(id(fut))

    async def wait_for(fut, timeout):
        w = _task_w()
        if w is None or timeout is None:
            return await orig(fut, timeout)
        fut = aio.ensure_future(fut)  # what wait_for does with a timeout
        kids = _kids_of(fut)
        if not kids or fut.done():
            return await orig(fut, timeout)
        key = id(fut)
        return await _AwaitAll(w, kids, orig(fut, timeout), lambda: key in cutting)

    aio.tasks._cancel_and_wait = _like(_cancel_and_wait, orig_cancel)
    aio.wait_for = aio.tasks.wait_for = _like(wait_for, orig)


def _patch_async_executor(aio):
    """run_in_executor: the work a task of the pool, run on the executor's thread; the
    awaiting task waits on the pool (as a thread waits on a future's result). A user's
    traced ThreadPoolExecutor writes its own submit and task events; the loop's default
    executor is declared here, as `executor`."""
    import itertools

    base, futures = aio.base_events.BaseEventLoop, aio.futures
    orig_rie, orig_wrap, chain = base.run_in_executor, futures.wrap_future, futures._chain_future
    waiting_on = [None]  # the pool the next wrapped future is awaited on (the loop's thread)

    class _Awaited(aio.Future):
        """The future run_in_executor returns: asyncio's, and its await a wait on the pool."""

        def __await__(self):
            w, j = _task_w(), getattr(self, "_tl_on", None)
            if w is None or j is None or self.done():
                return (yield from super().__await__())
            _emit(w, '"op":"wait_begin",%s}' % j)
            ok = False
            try:
                r = yield from super().__await__()
                ok = True
                return r
            finally:
                _emit(w, '"op":"wait_end",%s,"ok":%s}' % (j, _tf(ok)))

        __iter__ = __await__

    # Its repr (and type name) as the future asyncio would have returned.
    _Awaited.__name__ = _Awaited.__qualname__ = "Future"

    def wrap_future(future, *, loop=None):
        j, waiting_on[0] = waiting_on[0], None
        if j is None or futures.isfuture(future):
            return orig_wrap(future, loop=loop)
        new = _Awaited(loop=loop if loop is not None else aio.events.get_event_loop())
        new._tl_on = j
        chain(future, new)
        return new

    def in_pool(j, n, func):
        def run(*args):
            tw = _me()
            if tw is not None:
                _emit(tw, '"op":"task_begin",%s,"task":%d}' % (j, n))
            result = "error"
            try:
                result = func(*args)
                return result
            finally:
                if tw is not None:
                    _emit(tw, '"op":"task_end",%s,"task":%d,"result":%s}' % (j, n, _label(result)))

        return run

    def run_in_executor(self, executor, func, *args):
        w = _task_w()
        ex = executor if executor is not None else self._default_executor
        if w is None or self.is_closed():
            return orig_rie(self, executor, func, *args)
        own = getattr(ex, "__dict__", {})
        j = own.get("_tl_j")
        if j is None:  # not a traced pool of the program's: the loop's default executor
            j, count = own.get("_tl_aj"), own.get("_tl_an")
            if j is None:
                j = _declare_named("executor", "pool", getattr(ex, "_max_workers", None))
                count = itertools.count(1)
            if j is None:
                return orig_rie(self, executor, func, *args)
            n = next(count)
            _emit(w, '"op":"submit",%s,"task":%d}' % (j, n))
            func = in_pool(j, n, func)
        waiting_on[0] = j
        try:
            fut = orig_rie(self, executor, func, *args)
        finally:
            waiting_on[0] = None
        if "_tl_j" not in own:
            made = executor if executor is not None else self._default_executor
            if made is not None and hasattr(made, "__dict__"):
                made._tl_aj, made._tl_an = j, count
        return fut

    base.run_in_executor = _like(run_in_executor, orig_rie)
    futures.wrap_future = _like(wrap_future, orig_wrap)


def _patch_async_loop_end(aio):
    """Tasks left pending: asyncio.run cancels them (their lanes say so), a loop closed
    under them leaves them never to finish (their lanes end there)."""
    base, runners = aio.base_events.BaseEventLoop, aio.runners
    orig_close, orig_cancel_all = base.close, runners._cancel_all_tasks

    def _cancel_all_tasks(loop):
        _runs_ending.add(loop)
        try:
            return orig_cancel_all(loop)
        finally:
            _runs_ending.discard(loop)

    def close(self):
        left = [t for t in aio.all_tasks(self) if id(t) in _tasks] if _tasks and not self.is_running() else []
        orig_close(self)
        for t in left:
            if not t.done():
                _task_gone(_tasks[id(t)], id(t), "killed", "pending when its loop closed")

    runners._cancel_all_tasks = _like(_cancel_all_tasks, orig_cancel_all)
    base.close = _like(close, orig_close)


def _task_j(self):
    """(task, id fragment) for a traced asyncio object used by a traced task, else (None, None).
    Its class has `_tl_j` None (_patch_asyncio): the instance's __dict__ is never asked for."""
    j = self._tl_j
    w = _task_w() if j else None
    return (w, j) if w is not None else (None, None)


def _patch_async_lock(cls, is_lock):
    """asyncio.Lock and Semaphore: an await on acquire, a release said before it frees.
    As a threading.Lock's, their events go as records (text while the gates are in use),
    one record where it is taken at once."""
    orig_acquire, orig_release = cls.acquire, cls.release
    cls._tl_k = None  # a traced instance's (o, opid) for its records (_user_init)
    # Taken at once, with no await that suspends: free, and nobody queued before it (the
    # attributes every asyncio since 3.8 keeps; elsewhere every acquire is two records).
    names = set(orig_acquire.__code__.co_names)
    knows_free = {"_waiters", "_locked" if is_lock else "_value"} <= names

    def free(self):
        return knows_free and not self._waiters and (not self._locked if is_lock else self._value > 0)

    async def acquire(self):
        w, j = _task_j(self)
        if w is None:
            return await orig_acquire(self)
        k = None if _gated else self._tl_k
        if k is not None and free(self):
            r = await orig_acquire(self)
            if not _closed:
                _rec.append(_pack(_mono() - _T0, w, _ACQUIRED, k[0], k[1], 0))
            return r
        if k is None:
            _emit(w, '"op":"acquire_begin",%s}' % j)
        elif not _closed:
            _rec.append(_pack(_mono() - _T0, w, _ACQUIRE_BEGIN, k[0], k[1], 0))
        ok = False
        try:
            r = await orig_acquire(self)
            ok = True
            return r
        finally:
            if k is None:
                _emit(w, '"op":"acquire_end",%s,"ok":%s}' % (j, _tf(ok)))
            elif not _closed:
                _rec.append(_pack(_mono() - _T0, w, _ACQUIRE_END if ok else _ACQUIRE_FAILED, k[0], k[1], 0))

    def release(self):
        try:
            w, j = _task_j(self)
            if w is not None and (not is_lock or self._locked):
                k = None if _gated else self._tl_k
                if k is None:
                    _emit(w, '"op":"release",%s}' % j)
                elif not _closed:
                    _rec.append(_pack(_mono() - _T0, w, _RELEASE, k[0], k[1], 0))
                    if len(_rec) >= _REC_MAX:
                        _flush()
            return orig_release(self)
        except BaseException as e:
            _unshim(e)
            raise

    cls.acquire, cls.release = acquire, release
    if not (is_lock and knows_free):
        return lambda self: True  # every record written here, by acquire and release
    _patch_async_with(cls, orig_acquire, orig_release)
    ours = (acquire, release, cls.__aenter__, cls.__aexit__)

    def keyed(self):
        """Records for this Lock: its class has no acquire or release of its own, which the
        inline `async with` would pass by."""
        t = type(self)
        return (t.acquire, t.release, t.__aenter__, t.__aexit__) == ours

    return keyed


def _patch_async_with(cls, orig_acquire, orig_release):
    """`async with` on an asyncio.Lock, the common use: asyncio's __aenter__ awaits
    self.acquire() and its __aexit__ calls self.release(); these do the same, and where the
    lock is traced (`_tl_k`: not for a subclass with its own acquire or release), free, and
    the running task the one seen last, they write what acquire and release would, inline:
    the same frames as untraced."""

    async def __aenter__(self):
        k = self._tl_k
        last = _last_task
        if (k is None or _gated or not (_one_task_thread or last[0] == _get_ident())
                or id(_cur_get(last[1])) != last[2] or self._locked or self._waiters):
            await self.acquire()
            return None
        await orig_acquire(self)  # free and nobody queued: taken without suspending
        if not _closed:
            _rec.append(_pack(_mono() - _T0, last[3], _ACQUIRED, k[0], k[1], 0))
        return None

    async def __aexit__(self, exc_type, exc, tb):
        k = self._tl_k
        last = _last_task
        if (k is None or _gated or not (_one_task_thread or last[0] == _get_ident())
                or id(_cur_get(last[1])) != last[2]):
            self.release()
            return None
        # Written after the real release (which raises, as asyncio's does, if the lock is
        # not held): on one loop nothing runs between the two.
        orig_release(self)
        if not _closed:
            _rec.append(_pack(_mono() - _T0, last[3], _RELEASE, k[0], k[1], 0))
            if len(_rec) >= _REC_MAX:
                _flush()
        return None

    cls.__aenter__, cls.__aexit__ = _like(__aenter__, cls.__aenter__), _like(__aexit__, cls.__aexit__)


def _patch_async_event(cls):
    orig_set, orig_clear, orig_wait = cls.set, cls.clear, cls.wait

    def set(self):
        w, j = _task_j(self)
        if w is not None:
            _emit(w, '"op":"set",%s}' % j)
        return orig_set(self)

    def clear(self):
        w, j = _task_j(self)
        if w is not None:
            _emit(w, '"op":"clear",%s}' % j)
        return orig_clear(self)

    async def wait(self):
        w, j = _task_j(self)
        if w is None:
            return await orig_wait(self)
        _emit(w, '"op":"wait_begin",%s}' % j)
        ok = False
        try:
            r = await orig_wait(self)
            ok = True
            return r
        finally:
            _emit(w, '"op":"wait_end",%s,"ok":%s}' % (j, _tf(ok)))

    _user_init(cls, "event")
    cls.set, cls.clear, cls.wait = set, clear, wait


def _patch_async_condition(cls):
    """asyncio.Condition: its lock an object (the program's, or its own shown as
    `NAME.lock`), acquired and released by tasks; wait() reads as threading's — release,
    wait_begin, then wait_end (ok false when it was cancelled or timed out) before the
    lock is taken back."""
    orig_init, orig_wait = cls.__init__, cls.wait
    orig_notify, orig_notify_all = cls.notify, cls.notify_all

    def __init__(self, *args, **kwargs):
        orig_init(self, *args, **kwargs)
        if _declared(self) is not None or _closed or _me() is None:
            return
        f = _creator(self, 2)
        if f is None:
            return
        name = _name_for(f, "condition")
        j = self._tl_j = _declare_named(name, "condition")
        lock = self._lock
        if _declared(lock) is None:
            lock._tl_j = _declare_named(name + ".lock", "lock")
        waits = self._tl_waits = set()  # tasks inside wait(), between release and re-acquire
        release, acquire = self.release, self.acquire

        def released():
            r = release()
            w = _task_w()
            if w in waits:
                _emit(w, '"op":"wait_begin",%s}' % j)
            return r

        def reacquire():
            w = _task_w()
            if w in waits:
                waits.discard(w)
                # Called from wait(): its `fut` is the wake-up it awaited; not done or
                # cancelled, the wait ended without a notify.
                fut = sys._getframe(1).f_locals.get("fut")
                ok = fut is None or (fut.done() and not fut.cancelled())
                _emit(w, '"op":"wait_end",%s,"ok":%s}' % (j, _tf(ok)))
            return acquire()

        self.release, self.acquire = released, reacquire

    async def wait(self):
        w, j = _task_j(self)
        waits = self._tl_waits
        if w is None or waits is None or not self.locked():
            return await orig_wait(self)
        waits.add(w)
        try:
            return await orig_wait(self)
        finally:
            waits.discard(w)

    def notify(self, n=1):
        w, j = _task_j(self)
        if w is not None:
            _emit(w, '"op":"notify",%s,"n":%d}' % (j, n))
        return orig_notify(self, n)

    def notify_all(self):
        w, j = _task_j(self)
        if w is not None:
            _emit(w, '"op":"notify_all",%s}' % j)
            # asyncio's notify_all is notify(every waiter): called so, it says it once.
            return orig_notify(self, len(self._waiters))
        return orig_notify_all(self)

    cls.__init__, cls.wait = _like(__init__, orig_init), _like(wait, orig_wait)
    cls.notify, cls.notify_all = _like(notify, orig_notify), _like(notify_all, orig_notify_all)


def _patch_async_queue(queues):
    """asyncio.Queue and its LIFO and priority kinds: put and get as the threading ones —
    the _end written where the item really moves (_put, _get), the _begin before an await
    for room or an item (or before put_nowait, get_nowait called alone)."""
    Q = queues.Queue
    kinds = {Q: "queue", queues.LifoQueue: "lifo_queue", queues.PriorityQueue: "priority_queue"}

    def kind_of(q):
        return next((kinds[c] for c in type(q).__mro__ if c in kinds), "queue")

    _user_init(Q, kind_of, lambda s, maxsize=0, *a, **k: max(maxsize, 0))
    waiting = set()  # tasks inside an awaited put or get: their _begin is written

    for cls in kinds:
        _ends_where_items_move(cls, _task_j, lambda q: q.qsize())

    q_put, q_get, q_put_nowait, q_get_nowait = Q.put, Q.get, Q.put_nowait, Q.get_nowait

    def put_nowait(self, item):
        w, j = _task_j(self)
        if w is None or w in waiting:
            return q_put_nowait(self, item)
        _emit(w, '"op":"put_begin",%s,"item":%s}' % (j, _label(item)))
        try:
            return q_put_nowait(self, item)
        except BaseException:
            _emit(w, '"op":"put_end",%s,"item":%s,"depth":%d,"ok":false}' % (j, _label(item), self.qsize()))
            raise

    def get_nowait(self):
        w, j = _task_j(self)
        if w is None or w in waiting:
            return q_get_nowait(self)
        _emit(w, '"op":"get_begin",%s}' % j)
        try:
            return q_get_nowait(self)
        except BaseException:
            _emit(w, '"op":"get_end",%s,"depth":%d,"ok":false}' % (j, self.qsize()))
            raise

    async def put(self, item):
        w, j = _task_j(self)
        if w is None:
            return await q_put(self, item)
        _emit(w, '"op":"put_begin",%s,"item":%s}' % (j, _label(item)))
        waiting.add(w)
        try:
            return await q_put(self, item)
        except BaseException:
            _emit(w, '"op":"put_end",%s,"item":%s,"depth":%d,"ok":false}' % (j, _label(item), self.qsize()))
            raise
        finally:
            waiting.discard(w)

    async def get(self):
        w, j = _task_j(self)
        if w is None:
            return await q_get(self)
        _emit(w, '"op":"get_begin",%s}' % j)
        waiting.add(w)
        try:
            return await q_get(self)
        except BaseException:
            _emit(w, '"op":"get_end",%s,"depth":%d,"ok":false}' % (j, self.qsize()))
            raise
        finally:
            waiting.discard(w)

    Q.put, Q.get, Q.put_nowait, Q.get_nowait = put, get, put_nowait, get_nowait


class _WhenImported:
    """Patches a module once it is imported, not before (asyncio, shared_memory): a program
    that never imports it does not pay for it, and one that does finds it as it would."""

    def __init__(self, module, patch):
        self.module, self.patch = module, patch

    def find_spec(self, name, path=None, target=None):
        if name != self.module:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(name)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        orig_exec = loader.exec_module

        def exec_module(module):
            orig_exec(module)
            try:
                self.patch(module)
            except Exception:
                pass  # a module we do not know: left untraced, never broken

        loader.exec_module = exec_module
        return spec


def _when_imported(name, patch):
    if name in sys.modules:
        patch(sys.modules[name])
    else:
        sys.meta_path.insert(0, _WhenImported(name, patch))


def _patch_shared_memory(sm):
    """multiprocessing.shared_memory: a SharedMemory block is an object named by the
    block's own name, declared by each process that maps it (threadlanes makes one object
    of them); its mapping, close and unlink are said. Its bytes pass no code of ours:
    threadlanes reads them from the block itself (src/app/memory.rs)."""
    import weakref

    SM = sm.SharedMemory
    init, close, unlink = SM.__init__, SM.close, SM.unlink
    blocks = weakref.WeakKeyDictionary()  # SharedMemory -> [its id fragment, mapped]
    waiting = []  # blocks a process mapped before it said who it is (spawn's arguments)

    def say(shm, op, w=None, how=None):
        entry = blocks.get(shm)
        w = _me() if w is None else w
        if entry is not None and w is not None and not _closed:
            extra = ',"how":"%s"' % how if how else ""
            _emit(w, '"op":"%s",%s%s}' % (op, entry[0], extra), now=True)

    def mapped(shm, w):
        j = _declare_named(shm.name, "shared_memory", shm.size, True, w)
        if j is not None:
            blocks[shm] = [j, True]
            created = getattr(shm, "_flags", 0) & os.O_CREAT
            say(shm, "attach", w, "created" if created else "opened")

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if _closed:
            return
        w = _me()
        if w is not None:
            mapped(self, w)
        elif not _proc_declared[0]:
            waiting.append(weakref.ref(self))

    def close_(self):
        close(self)
        entry = blocks.get(self)
        if entry is not None and entry[1]:
            entry[1] = False
            say(self, "detach")

    def unlink_(self):
        unlink(self)
        say(self, "unlink")

    def declared():
        # This process has said who it is: a forked child maps what its parent mapped
        # (said for each block, whose id fragment names the parent's pid), and the blocks
        # it mapped before (a spawned Process's arguments) are said now.
        w = _me()
        for shm, entry in list(blocks.items()):
            if entry[1]:
                say(shm, "attach", w, "inherited")
        for ref in waiting:
            shm = ref()
            if shm is not None and w is not None:
                mapped(shm, w)
        waiting.clear()

    _declared_hooks.append(declared)
    for fn, orig in ((__init__, init), (close_, close), (unlink_, unlink)):
        setattr(SM, orig.__name__, _like(_errors_untraced(fn), orig))


# ── time.sleep, print, input ────────────────────────────────────────────────────────


def _sleep(secs):
    w = _me()
    if w is None:
        return _orig_sleep(secs)
    if _tasks:
        # time.sleep inside a coroutine: the task running here is said first (its start,
        # or the switch to it), so the sleep is seen as the task keeping its thread.
        _task_w()
    ms = max(0, int(secs * 1000))
    skip = _gated and _gate(w, "sleep", '"ms":%d' % ms)
    _emit(w, '"op":"sleep_begin","ms":%d}' % ms, now=True)
    try:
        if skip:
            return None  # seeded: its time passed on threadlanes' logical clock
        return _orig_sleep(secs / _SPEED)
    finally:
        _emit(w, '"op":"sleep_end"}')


_orig_print = builtins.print


class _Tee:
    """Passes print's writes on to the program's stdout and keeps their text."""

    __slots__ = ("out", "parts")

    def __init__(self, out):
        self.out, self.parts = out, []

    def write(self, s):
        self.parts.append(s)
        return self.out.write(s)

    def flush(self):
        return self.out.flush()


def _print(*args, sep=" ", end="\n", file=None, flush=False):
    w = _task_w()  # a line printed inside a task is the task's
    if w is None:
        w = _me()
    if w is None or (file is not None and file is not sys.stdout):
        return _orig_print(*args, sep=sep, end=end, file=file, flush=flush)
    stdout = sys.stdout
    if stdout is None:
        return _orig_print(*args, sep=sep, end=end, file=file, flush=flush)
    # print makes its own writes (each argument, each sep, the end) on the program's
    # stdout, as untraced: a stdout that records its writes sees the same ones.
    tee = _Tee(stdout)
    _orig_print(*args, sep=sep, end=end, file=tee, flush=flush)
    text = "".join(tee.parts)
    for line in text.rstrip("\n").split("\n"):
        if len(line) > _SAY_MAX:
            # The log shows its start; the whole of it is on stdout.
            line = "%s… [%d characters]" % (line[:_SAY_MAX], len(line))
        _emit(w, '"op":"say","text":%s}' % _q(line))


_orig_input = builtins.input


def _input(prompt=""):
    if _TUI:
        msg = ("input() has no keyboard under the threadlanes TUI (it draws the screen); "
               "run `threadlanes trace --headless -- python3 ...` to type input")
        w = _me()
        if w is not None:
            _emit(w, '"op":"say","text":%s}' % _q(msg), now=True)
        sys.stderr.write("threadlanes: %s\n" % msg)
        raise EOFError(msg)
    try:
        return _orig_input(prompt)
    except BaseException as e:
        _unshim(e)
        raise


# ── concurrent.futures ──────────────────────────────────────────────────────────────


def _patch_process_pool():
    """ProcessPoolExecutor: a pool shared by processes. A submit is the parent's; the task
    runs as a `_PoolTask` (as a multiprocessing Pool's do), so its begin and end are the
    worker process's, and the future's result() is a wait on the pool."""
    from concurrent.futures import process as cfp

    Ex = cfp.ProcessPoolExecutor
    orig_init, orig_submit = Ex.__init__, Ex.submit

    def pex_submit(self, fn, /, *args, **kwargs):
        w, j = _traced(self)
        if w is None:
            return orig_submit(self, fn, *args, **kwargs)
        task = next(self._tl_tasks)
        _emit(w, '"op":"submit",%s,"task":%d}' % (j, task), now=True)
        try:
            fut = orig_submit(self, _PoolTask(fn, j, task, False), *args, **kwargs)
        except BaseException as e:
            _unshim(e)
            raise
        fut._tl_j = j
        return fut

    Ex.__init__, Ex.submit = _executor_init(orig_init, True), pex_submit


def _executor_init(orig, shared):
    """An executor's __init__: one the program makes is a pool of its max_workers (`shared`
    by processes for a ProcessPoolExecutor), its tasks numbered from 1."""

    def __init__(self, *args, **kwargs):
        orig(self, *args, **kwargs)
        if _closed or _me() is None:
            return
        f = _creator(self, 2)
        if f is not None:
            self._tl_j = _declare_object(f, "pool", self._max_workers, shared=shared)
            self._tl_tasks = itertools.count(1)

    return __init__


def _patch_futures():
    from concurrent.futures import thread as cft
    from concurrent.futures import _base

    Ex = cft.ThreadPoolExecutor
    orig_init, orig_submit = Ex.__init__, Ex.submit

    def submit(self, fn, /, *args, **kwargs):
        w, j = _traced(self)
        if w is None:
            return orig_submit(self, fn, *args, **kwargs)
        task = next(self._tl_tasks)
        _emit(w, '"op":"submit",%s,"task":%d}' % (j, task))

        def traced_task(*a, **k):
            try:
                tw = _me()
                if tw is not None:
                    _emit(tw, '"op":"task_begin",%s,"task":%d}' % (j, task))
                result = "error"
                try:
                    r = fn(*a, **k)
                    result = r
                    return r
                finally:
                    if tw is not None:
                        _emit(tw, '"op":"task_end",%s,"task":%d,"result":%s}' % (j, task, _label(result)))
            except BaseException as e:
                _unshim(e)
                raise

        fut = orig_submit(self, traced_task, *args, **kwargs)
        fut._tl_j = j
        return fut

    Ex.__init__, Ex.submit = _executor_init(orig_init, False), submit
    _patch_process_pool()

    F = _base.Future
    f_result = F.result

    def result(self, timeout=None):
        try:
            w, j = _traced(self)
            if w is None or self.done():
                return f_result(self, timeout)
            return _waiting(w, j, f_result, self, timeout)
        except BaseException as e:
            _unshim(e)
            raise

    F.result = result


# ── multiprocessing ─────────────────────────────────────────────────────────────────


class _StateWithJ(tuple):
    """An object's own pickled state, with our id beside it as an attribute: a process
    without the shim's patches (one a forkserver started) reads it as the plain state."""


def _with_j(state, j):
    """`state` with `j` beside it (when there is one and the state is a tuple)."""
    if j is None or type(state) is not tuple:
        return state
    state = _StateWithJ(state)
    state._tl_j = j
    return state


def _keep_j_through_state(cls, then=None):
    """Spawn pickles shared objects through __getstate__/__setstate__: carry our id along
    (and `then(obj)` once an object has it back)."""
    get, set_ = cls.__getstate__, cls.__setstate__

    def __getstate__(self):
        return _with_j(get(self), self.__dict__.get("_tl_j"))

    def __setstate__(self, state):
        set_(self, state)
        j = getattr(state, "_tl_j", None)
        if j is not None:
            self._tl_j = j
            if then is not None:
                then(self)

    cls.__getstate__, cls.__setstate__ = __getstate__, __setstate__


def _patch_mp_joinable(JQ):
    """A multiprocessing JoinableQueue's task_done (with the tasks still unfinished, read
    from its shared count) and join (a wait until they are all done)."""
    jq_done, jq_join = JQ.task_done, JQ.join

    def task_done(self):
        # Said before it is done: once done, a join in another process may end at once, and
        # its end must not come before this in the stream. The count is read first (one
        # fewer after this one; none left, and task_done raises ValueError: no event).
        try:
            w, j = _traced(self)
            if w is not None:
                try:
                    left = self._unfinished_tasks._semlock._get_value()
                except (NotImplementedError, OSError):  # not every platform can read it
                    left = 0
                if left > 0:
                    _emit(w, '"op":"task_done",%s,"unfinished":%d}' % (j, left - 1), now=True)
            return jq_done(self)
        except BaseException as e:
            _unshim(e)
            raise

    JQ.task_done, JQ.join = task_done, _traced_join(jq_join, True)


def _patch_mp_event(Ev):
    """multiprocessing's Event, shared by processes: set, clear and waits, as a threading
    Event's (its own lock, condition and semaphore are the standard library's)."""
    e_set, e_clear, e_wait = Ev.set, Ev.clear, Ev.wait
    _user_init(Ev, "event", shared=True)

    def ev_set(self):
        w, j = _traced(self)
        if w is not None:
            _emit(w, '"op":"set",%s}' % j, now=True)
        return e_set(self)

    def ev_clear(self):
        w, j = _traced(self)
        if w is not None:
            _emit(w, '"op":"clear",%s}' % j, now=True)
        return e_clear(self)

    def ev_wait(self, timeout=None):
        try:
            w, j = _traced(self)
            if w is None:
                return e_wait(self, timeout)
            return _said_around(w, j, "wait", e_wait, self, timeout)
        except BaseException as e:
            _unshim(e)
            raise

    Ev.set, Ev.clear, Ev.wait = ev_set, ev_clear, ev_wait


def _said_around(w, j, op, call, *args):
    """`op`_begin, the call, `op`_end with ok= what it returned (a wait or an acquire on an
    object shared by processes: each said at once)."""
    _emit(w, '"op":"%s_begin",%s}' % (op, j), now=True)
    ok = False
    try:
        ok = call(*args)
    finally:
        _emit(w, '"op":"%s_end",%s,"ok":%s}' % (op, j, _tf(ok)), now=True)
    return ok


def _notifies(c_notify, c_notify_all, gate, now):
    """A Condition's notify and notify_all, each said once: notify_all is notify(every
    waiter) inside, and the notify in it is not another event. `gate`: they wait at the step
    gate (threading's); `now`: said at once (an object shared by processes)."""
    all_of = set()  # (id(condition), thread ident) while a notify_all runs

    def notify(self, n=1):
        try:
            w, j = _traced(self)
            if w is not None and (id(self), _get_ident()) not in all_of:
                if gate and _gated:
                    _gate(w, "notify", j)
                _emit(w, '"op":"notify",%s,"n":%d}' % (j, n), now=now)
            return c_notify(self, n)
        except BaseException as e:
            _unshim(e)
            raise

    def notify_all(self):
        try:
            w, j = _traced(self)
            if w is not None:
                if gate and _gated:
                    _gate(w, "notify_all", j)
                _emit(w, '"op":"notify_all",%s}' % j, now=now)
            key = (id(self), _get_ident())
            all_of.add(key)
            try:
                return c_notify_all(self)
            finally:
                all_of.discard(key)
        except BaseException as e:
            _unshim(e)
            raise

    return notify, notify_all


def _patch_mp_condition(Cond):
    """multiprocessing's Condition, shared by processes: waits (ok=false on a timeout) and
    notifies. Its lock is the program's, seen if the program made it; a wait is the wait on
    its own semaphore, so the stream reads release(lock) wait_begin ... wait_end
    acquire(lock), as a threading Condition's does."""
    c_notify, c_notify_all = Cond.notify, Cond.notify_all
    _user_init(Cond, "condition", shared=True)
    _keep_j_through_state(Cond, _wrap_cond_wait)
    c_init = Cond.__init__

    def __init__(self, *args, **kwargs):  # by this name: part of the object's own making
        c_init(self, *args, **kwargs)
        _wrap_cond_wait(self)

    Cond.__init__ = __init__

    # Shared by processes: each said at once.
    Cond.notify, Cond.notify_all = _notifies(c_notify, c_notify_all, gate=False, now=True)


def _wrap_cond_wait(cond):
    """A traced multiprocessing Condition's wait: its own semaphore's acquire, where wait()
    sleeps between giving its lock up and taking it back."""
    j = cond.__dict__.get("_tl_j")
    if j is None:
        return
    sem = cond._wait_semaphore
    raw = sem.acquire

    def acquire(block=True, timeout=None):
        try:
            w = _me()
            if w is None or not block:  # notify tries it without blocking: not a wait
                return raw(block, timeout)
            return _said_around(w, j, "wait", raw, block, timeout)
        except BaseException as e:
            _unshim(e)
            raise

    sem.acquire = acquire


def _wrap_semlock(lock):
    """An instrumented multiprocessing Lock or Semaphore: acquire/release are instance
    attributes there."""
    j = lock.__dict__.get("_tl_j")
    if j is None:
        return
    sl = lock._semlock
    raw_acquire, raw_release = sl.acquire, sl.release

    def acquire(block=True, timeout=None):
        try:
            w = _me()
            if w is None:
                return raw_acquire(block, timeout)
            return _said_around(w, j, "acquire", raw_acquire, block, timeout)
        except BaseException as e:
            _unshim(e)
            raise

    # Is there something to release: an RLock ours, a Lock taken at all, a semaphore below
    # its most (always, unbounded; a bounded one at its most raises, and releases nothing).
    held = sl._is_mine if sl.kind == 0 else lambda: sl._get_value() < sl.maxvalue

    def release():
        try:
            w = _me()
            if w is not None and held():
                _emit(w, '"op":"release",%s}' % j, now=True)
            return raw_release()
        except BaseException as e:
            _unshim(e)
            raise

    lock.acquire, lock.release = acquire, release


def _rebuild_with_j(fn, args, j):
    obj = fn(*args)
    if j is not None:
        try:
            obj._tl_j = j
        except AttributeError:
            pass
    return obj



# ── multiprocessing: values and arrays in shared memory ─────────────────────────────


def _num(x):
    """A shared value's number as JSON text: an int (a bool as 0 or 1), a finite float as
    repr writes it; None for anything else (a char, or NaN), which is not said."""
    if isinstance(x, int):
        return "%d" % x
    if isinstance(x, float) and x - x == 0:
        return repr(x)
    return None


_MOST_CELLS = 64  # cells said of one slice read or written (and of an array's first values)
_FAILED = object()  # an array read that raised (the real one then raises it again)


def _said_cells(w, j, op, i, x, n):
    """`op` (read or write) of an array's cell `i` (an int or a slice of an `n`-cell array)
    whose value is `x` (a list for a slice)."""
    if isinstance(i, slice):
        cells = zip(range(*i.indices(n)), x)
    else:
        cells = ((i + n if i < 0 else i, x),)
    for k, (at, v) in enumerate(cells):
        if k == _MOST_CELLS:
            break
        t = _num(v)
        if t is not None:
            _emit(w, '"op":"%s",%s,"value":%s,"index":%d}' % (op, j, t, at), now=True)


def _patch_mp_shared(mpv, mps):
    """Value and Array (with their lock): each read and write said inside the object's own
    lock, so their order across processes is the true one. An Array is a value object with
    its length as capacity, each op naming its cell."""
    orig_value, orig_array = mpv.Value, mpv.Array

    def declare(obj, kind_args):
        f = _creator(None, 3)
        if f is None:
            return None
        name = _name_for(f, "value")
        obj._tl_j = _declare_named(name, "value", shared=True, **kind_args)
        own_lock(obj, name)
        return obj._tl_j

    def own_lock(obj, name):
        # The lock made for it (get_lock()): an object of its own, named after it, so
        # `with progress.get_lock():` shows; a lock the program gave it is its own already.
        lk = obj.get_lock()
        if _declared(lk) is not None or not isinstance(lk, mps.SemLock):
            return
        kind = "rlock" if isinstance(lk, mps.RLock) else "lock"
        lk._tl_j = _declare_named(name + ".get_lock()", kind, shared=True)
        _wrap_semlock(lk)
        # The value's own acquire/release are the lock's, copied when it was made: again.
        obj.acquire, obj.release = lk.acquire, lk.release

    def Value(typecode_or_type, *args, lock=True, ctx=None):
        v = orig_value(typecode_or_type, *args, lock=lock, ctx=ctx)
        if lock is not False and not _closed and _me() is not None:
            j = declare(v, {})
            t = _num(v._obj.value)
            if j is not None and t is not None:
                _emit(_me(), '"op":"write",%s,"value":%s}' % (j, t), now=True)
        return v

    def Array(typecode_or_type, size_or_initializer, *, lock=True, ctx=None):
        a = orig_array(typecode_or_type, size_or_initializer, lock=lock, ctx=ctx)
        if lock is not False and not _closed and _me() is not None:
            n = len(a._obj)
            j = declare(a, {"capacity": n})
            if j is not None:
                first = a._obj[:_MOST_CELLS]
                w = _me()
                for i, x in enumerate(first):
                    if x:  # a new array is all zeros but for its initializer
                        _said_cells(w, j, "write", i, x, n)
        return a

    mpv.Value = _posing_as(Value, mpv, "Value")
    mpv.Array = _posing_as(Array, mpv, "Array")
    S = mpv.Synchronized
    prop = S.value

    def v_get(self):
        w, j = _traced(self)
        if w is None:
            return prop.fget(self)
        with self._lock:
            x = self._obj.value
            t = _num(x)
            if t is not None:
                _emit(w, '"op":"read",%s,"value":%s}' % (j, t), now=True)
            return x

    def v_set(self, x):
        w, j = _traced(self)
        if w is None:
            return prop.fset(self, x)
        with self._lock:
            self._obj.value = x
            t = _num(self._obj.value)  # as stored: 2.7 in an 'i' Value is refused, not cut
            if t is not None:
                _emit(w, '"op":"write",%s,"value":%s}' % (j, t), now=True)

    S.value = property(v_get, v_set)
    A = mpv.SynchronizedArray
    a_get, a_set = A.__getitem__, A.__setitem__

    def getitem(self, i):
        w, j = _traced(self)
        if w is not None:
            with self._lock:
                try:
                    x = self._obj[i]
                except Exception:
                    x = _FAILED
                if x is not _FAILED:
                    _said_cells(w, j, "read", i, x, len(self._obj))
                    return x
        try:  # untraced, or the read failed: the real one raises the error as it would
            return a_get(self, i)
        except BaseException as e:
            _unshim(e)
            raise

    def setitem(self, i, value):
        w, j = _traced(self)
        if w is not None:
            with self._lock:
                try:
                    self._obj[i] = value
                    ok = True
                except Exception:
                    ok = False
                if ok:
                    _said_cells(w, j, "write", i, self._obj[i], len(self._obj))
                    return
        try:  # the same assignment again raises its error as it would (it changes nothing new)
            a_set(self, i, value)
        except BaseException as e:
            _unshim(e)
            raise

    A.__getitem__ = _posing_as(getitem, A, "__getitem__")
    A.__setitem__ = _posing_as(setitem, A, "__setitem__")
    for C in (S, A):
        C.__reduce__ = _reduce_with_j(C.__reduce__)


def _reduce_with_j(orig):
    """A shared object's __reduce__ that carries its id to the process it is sent to."""

    def reduce(self):
        fn, args = orig(self)
        return _rebuild_with_j, (fn, args, self.__dict__.get("_tl_j"))

    return reduce


def _patch_multiprocessing():
    import itertools
    import multiprocessing.process as mpp
    import multiprocessing.synchronize as mps
    import multiprocessing.queues as mpq
    import multiprocessing.connection as mpc
    import multiprocessing.sharedctypes as mpv
    import multiprocessing.reduction as mpr
    import multiprocessing.pool as mpool

    # Processes: the child declares itself as worker 0 of its pid; its parent's thread is
    # named with "ppid". fork: in the at-fork hook; spawn: when _bootstrap begins.
    P = mpp.BaseProcess
    p_start, p_boot, p_join = P.start, P._bootstrap, P.join

    def start(self):
        try:
            w = _me()
            self._tl_parent = (_pid, w)
            _starting[0] = self
            try:
                return p_start(self)
            finally:
                _starting[0] = None
        except BaseException as e:
            _unshim(e)
            raise

    def _bootstrap(self, *args, **kwargs):
        global _my_parent
        if not _proc_declared[0]:  # spawn: the first this process hears of its Process
            _proc_declared[0] = True
            fresh = 0 not in _wids.values()
            ppid, pw = self.__dict__.get("_tl_parent", (None, None))
            _my_parent = (pw, ppid)
            _wids[_get_ident()] = 0
            _declare_worker(0, self.name, "process", self.daemon, pw, ppid)
            if fresh:
                _emit(0, '"op":"start"}')
            _said_who()
        code = p_boot(self, *args, **kwargs)
        _finish("ok" if code == 0 else "panic", None if code == 0 else "exit code %s" % code)
        return code

    def join(self, timeout=None):
        try:
            w = _me()
            pid = self.pid
            if w is not None and pid:
                _emit(w, '"op":"join_begin","target":0,"tpid":%d}' % pid, now=True)
            try:
                return p_join(self, timeout)
            finally:
                if pid:
                    code = self.exitcode
                    if w is not None:
                        _emit(w, '"op":"join_end","target":0,"tpid":%d,"ok":%s}' % (pid, _tf(code is not None)), now=True)
                    if code is not None and code < 0:
                        # Killed by a signal: the child could not say so itself.
                        with _wlock:
                            if not _closed:
                                _buf.append('{"t":%d,"pid":%d,"w":0,"wpid":%d,"op":"exit","how":"killed","msg":"signal %d"}\n'
                                            % (_mono() - _T0, _pid, pid, -code))
                                _flush_locked()
        except BaseException as e:
            _unshim(e)
            raise

    P.start, P._bootstrap, P.join = start, _bootstrap, join

    # Lock, RLock, Semaphore, BoundedSemaphore: SemLocks shared by processes (a semaphore's
    # slots are its value when made).
    kinds = ((mps.Lock, "lock"), (mps.RLock, "rlock"), (mps.Semaphore, "semaphore"),
             (mps.BoundedSemaphore, "bounded_semaphore"))
    for cls, kind in kinds:
        orig = cls.__init__

        def init(self, *args, _orig=orig, _kind=kind, **kwargs):
            _orig(self, *args, **kwargs)
            if _closed or _me() is None or _declared(self) is not None:
                return
            f = _creator(self, 2)
            if f is not None:
                slots = self._semlock._get_value() if _kind.endswith("semaphore") else None
                self._tl_j = _declare_object(f, _kind, slots, shared=True)
                _wrap_semlock(self)

        cls.__init__ = init
    _patch_mp_event(mps.Event)
    _patch_mp_condition(mps.Condition)
    # Barrier: threading's wait (patched there) on a barrier shared by processes.
    _user_init(mps.Barrier, "barrier", lambda s, parties, *a, **k: parties, shared=True)
    _keep_j_through_state(mps.Barrier)
    mps.SemLock.__enter__ = lambda self: self.acquire()
    mps.SemLock.__exit__ = lambda self, *a: self.release()
    _keep_j_through_state(mps.SemLock, _wrap_semlock)

    # Queue: depth is counted by threadlanes in the merged order ("shared"), since no process
    # can read it at the moment of its own put or get.
    MQ = mpq.Queue
    mq_init, mq_put, mq_get = MQ.__init__, MQ.put, MQ.get

    def mq_init_(self, maxsize=0, *, ctx):
        mq_init(self, maxsize, ctx=ctx)
        if _closed or _me() is None:
            return
        f = _creator(self, 2)
        if f is not None:
            self._tl_j = _declare_object(f, "queue", max(maxsize, 0), shared=True)

    def traced_put(orig):
        def put(self, obj, block=True, timeout=None):
            try:
                w, j = _traced(self)
                if w is None:
                    return orig(self, obj, block, timeout)
                _emit(w, '"op":"put_begin",%s,"item":%s}' % (j, _label(obj)), now=True)
                ok = False
                try:
                    r = orig(self, obj, block, timeout)
                    ok = True
                    return r
                finally:
                    _emit(w, '"op":"put_end",%s,"item":%s,"depth":0,"ok":%s}' % (j, _label(obj), _tf(ok)), now=True)
            except BaseException as e:
                _unshim(e)
                raise

        return put

    mq_put_ = traced_put(mq_put)

    def mq_get_(self, block=True, timeout=None):
        try:
            w, j = _traced(self)
            if w is None:
                return mq_get(self, block, timeout)
            _emit(w, '"op":"get_begin",%s}' % j, now=True)
            try:
                item = mq_get(self, block, timeout)
            except BaseException:
                _emit(w, '"op":"get_end",%s,"depth":0,"ok":false}' % j, now=True)
                raise
            _emit(w, '"op":"get_end",%s,"item":%s,"depth":0,"ok":true}' % (j, _label(item)), now=True)
            return item
        except BaseException as e:
            _unshim(e)
            raise

    MQ.__init__, MQ.put, MQ.get = mq_init_, mq_put_, mq_get_
    _keep_j_through_state(MQ)
    # JoinableQueue has a put of its own, and a state of its own around Queue's.
    JQ = mpq.JoinableQueue
    JQ.put = traced_put(JQ.put)
    _keep_j_through_state(JQ)
    _patch_mp_joinable(JQ)

    # Pipe: one object for both ends.
    orig_pipe = mpc.Pipe

    def Pipe(duplex=True):
        a, b = orig_pipe(duplex)
        if not _closed and _me() is not None:
            f = _creator(None, 2)
            if f is not None:
                a._tl_j = b._tl_j = _declare_object(f, "pipe", shared=True)
        return a, b

    mpc.Pipe = _posing_as(Pipe, mpc, "Pipe")
    CB = mpc._ConnectionBase
    c_send, c_recv = CB.send, CB.recv

    def send(self, obj):
        try:
            w, j = _traced(self)
            if w is not None:
                _emit(w, '"op":"send",%s,"item":%s}' % (j, _label(obj)), now=True)
            return c_send(self, obj)
        except BaseException as e:
            _unshim(e)
            raise

    def recv(self):
        try:
            w, j = _traced(self)
            if w is None:
                return c_recv(self)
            _emit(w, '"op":"recv_begin",%s}' % j, now=True)
            try:
                item = c_recv(self)
            except BaseException:
                _emit(w, '"op":"recv_end",%s,"ok":false}' % j, now=True)
                raise
            _emit(w, '"op":"recv_end",%s,"item":%s,"ok":true}' % (j, _label(item)), now=True)
            return item
        except BaseException as e:
            _unshim(e)
            raise

    CB.send, CB.recv = send, recv
    mpr.register(mpc.Connection, _reduce_with_j(mpc.reduce_connection))

    _patch_mp_shared(mpv, mps)

    # Pool: each task's function is wrapped in a picklable _PoolTask that reports from the
    # worker process.
    Pool = mpool.Pool
    pool_init, apply_async, map_async = Pool.__init__, Pool.apply_async, Pool._map_async
    imap, imap_unordered = Pool.imap, Pool.imap_unordered

    def pinit(self, processes=None, *args, **kwargs):
        pool_init(self, processes, *args, **kwargs)
        if _closed or _me() is None:
            return
        f = _creator(self, 2)
        if f is not None:
            self._tl_j = _declare_object(f, "pool", self._processes, shared=True)
            self._tl_tasks = itertools.count(1)

    def submit(self, w):
        task = next(self._tl_tasks)
        _emit(w, '"op":"submit",%s,"task":%d}' % (self._tl_j, task), now=True)
        return task

    def papply_async(self, func, args=(), kwds={}, *rest, **kw):
        w, j = _traced(self)
        if w is None:
            return apply_async(self, func, args, kwds, *rest, **kw)
        return apply_async(self, _PoolTask(func, j, submit(self, w), False), args, kwds, *rest, **kw)

    def tagged(self, w, iterable):
        for x in iterable:
            yield (submit(self, w), x)

    def pmap_async(self, func, iterable, mapper, *rest, **kw):
        w, j = _traced(self)
        if w is None:
            return map_async(self, func, iterable, mapper, *rest, **kw)
        star = mapper is mpool.starmapstar
        return map_async(self, _PoolTask(func, j, None, star), list(tagged(self, w, iterable)), mapper, *rest, **kw)

    def lazy(orig):
        def method(self, func, iterable, chunksize=1):
            w, j = _traced(self)
            if w is None:
                return orig(self, func, iterable, chunksize)
            return orig(self, _PoolTask(func, j, None, False), tagged(self, w, iterable), chunksize)

        return method

    Pool.__init__, Pool.apply_async, Pool._map_async = pinit, papply_async, pmap_async
    Pool.imap, Pool.imap_unordered = lazy(imap), lazy(imap_unordered)

    # Waiting for results (map, apply, AsyncResult.get) is a wait on the pool, as a
    # ThreadPoolExecutor future's result() is. A result keeps its pool until it is set.
    AR = mpool.ApplyResult
    ar_get = AR.get

    def rget(self, timeout=None):
        try:
            pool = getattr(self, "_pool", None)
            w, j = _traced(pool) if pool is not None else (None, None)
            if w is None or self.ready():
                return ar_get(self, timeout)
            return _waiting(w, j, ar_get, self, timeout)
        except BaseException as e:
            _unshim(e)
            raise

    AR.get = rget


def _patch_manager():
    """A Manager's Lock, RLock, Semaphore, BoundedSemaphore, Event, Queue, JoinableQueue and
    Value, seen from the processes that use them through proxies (all calls go through
    BaseProxy._callmethod). Its dicts and lists are not shown."""
    import multiprocessing.managers as mm

    kinds = {"Lock": "lock", "RLock": "rlock", "Semaphore": "semaphore",
             "BoundedSemaphore": "bounded_semaphore", "Event": "event", "Queue": "queue",
             "JoinableQueue": "queue", "Value": "value"}
    for typeid, kind in kinds.items():
        make = getattr(mm.SyncManager, typeid, None)
        if make is None:
            continue

        def creator(self, *args, _make=make, _kind=kind, **kwargs):
            proxy = _make(self, *args, **kwargs)
            if not _closed and _me() is not None:
                f = _creator(None, 2)
                if f is not None:
                    cap = args[0] if _kind.endswith("semaphore") and args else None
                    if _kind == "queue":
                        cap = max(args[0], 0) if args else 0
                    proxy._tl_j = _declare_object(f, _kind, cap, shared=True)
                    proxy._tl_kind = _kind
            return proxy

        creator.__name__ = typeid
        setattr(mm.SyncManager, typeid, creator)

    B = mm.BaseProxy
    call, reduce_ = B._callmethod, B.__reduce__

    def _callmethod(self, name, args=(), kwds={}):
        j = self.__dict__.get("_tl_j")
        w = _me() if j is not None else None
        if w is None:
            return call(self, name, args, kwds)
        kind = self._tl_kind
        if kind == "value" and name in ("get", "set"):
            r = call(self, name, args, kwds)
            x = r if name == "get" else (args[0] if args else None)
            if isinstance(x, int):
                _emit(w, '"op":"%s",%s,"value":%d}' % ("read" if name == "get" else "write", j, x), now=True)
            return r
        if name == "release" or (kind == "event" and name in ("set", "clear")):
            _emit(w, '"op":"%s",%s}' % (name, j), now=True)
            return call(self, name, args, kwds)
        if name == "put" and kind == "queue":
            label = _label(args[0]) if args else '""'
            _emit(w, '"op":"put_begin",%s,"item":%s}' % (j, label), now=True)
            ok = False
            try:
                r = call(self, name, args, kwds)
                ok = True
                return r
            finally:
                _emit(w, '"op":"put_end",%s,"item":%s,"depth":0,"ok":%s}' % (j, label, _tf(ok)), now=True)
        if name == "get" and kind == "queue":
            _emit(w, '"op":"get_begin",%s}' % j, now=True)
            try:
                item = call(self, name, args, kwds)
            except BaseException:
                _emit(w, '"op":"get_end",%s,"depth":0,"ok":false}' % j, now=True)
                raise
            _emit(w, '"op":"get_end",%s,"item":%s,"depth":0,"ok":true}' % (j, _label(item)), now=True)
            return item
        if name == "acquire" or (name == "wait" and kind == "event"):
            # ok is what the call returns: a failed try or a timeout says False.
            _emit(w, '"op":"%s_begin",%s}' % (name, j), now=True)
            ok = False
            try:
                ok = call(self, name, args, kwds)
                return ok
            finally:
                _emit(w, '"op":"%s_end",%s,"ok":%s}' % (name, j, _tf(ok)), now=True)
        return call(self, name, args, kwds)

    def __reduce__(self):
        fn, args = reduce_(self)
        j = self.__dict__.get("_tl_j")
        return _rebuild_proxy, (fn, args, j, self.__dict__.get("_tl_kind"))

    B._callmethod, B.__reduce__ = _callmethod, __reduce__


def _rebuild_proxy(fn, args, j, kind):
    proxy = fn(*args)
    if j is not None:
        proxy._tl_j, proxy._tl_kind = j, kind
    return proxy


class _PoolTask:
    """A pool task's function, reporting task_begin/task_end in the worker process. With no
    fixed task number it is mapped over (task, item) pairs."""

    def __init__(self, func, j, task, star):
        self.func, self.j, self.task, self.star = func, j, task, star

    def __call__(self, *args, **kwargs):
        try:
            if self.task is not None:
                task, call = self.task, lambda: self.func(*args, **kwargs)
            elif self.star:
                task, item = args
                call = lambda: self.func(*item)
            else:
                task, item = args[0]
                call = lambda: self.func(item)
            w = _me()
            if w is not None:
                _emit(w, '"op":"task_begin",%s,"task":%d}' % (self.j, task), now=True)
            result = "error"
            try:
                result = call()
                return result
            finally:
                if w is not None:
                    _emit(w, '"op":"task_end",%s,"task":%d,"result":%s}' % (self.j, task, _label(result)), now=True)
        except BaseException as e:
            _unshim(e)
            raise


# ── start and end ───────────────────────────────────────────────────────────────────


_finishing = [None]  # the thread saying the process's end: once closed, it alone still says


def _finish(how, msg):
    """The process is ending: threads still running die with it, then its main thread (how
    None: threadlanes says how, from the process's status). Tracing closes first: a thread
    still running (a daemon) records nothing after the line that says it was killed."""
    global _closed
    if _main_done[0]:
        return
    _main_done[0] = True
    with _wlock:
        was_closed, _closed = _closed, True
        if not was_closed:
            _finishing[0] = _get_ident()
    if not was_closed:
        for tw in list(_live):
            if _live.pop(tw, None) is not None:
                _emit(tw, '"op":"exit","how":"killed"}')
        _task_leftovers()
        if how is not None and 0 in _wids.values():
            m = ',"msg":%s' % _q(msg) if msg else ""
            _emit(0, '"op":"exit","how":"%s"%s}' % (how, m))
    with _wlock:
        _flush_locked()
        _finishing[0] = None
        if _sock is not None:
            try:
                _sock.close()
            except OSError:
                pass


def _at_exit():
    # An exception that ended the main thread is in sys.last_value by now (set before any
    # excepthook runs, the program's own too): sys.excepthook is left as it was.
    failed = getattr(sys, "last_value", None)
    if failed is not None:
        return _finish("panic", repr(failed))
    if _root[0] or _said_at_c_exit():
        # Its status is threadlanes' to read when it has ended (a SystemExit raised by hand
        # leaves no trace in the program by now), or the C library's exit says it, given it:
        # the main thread's end is said from it.
        return _finish(None, None)
    code = _exit_code(_exit_status)
    _finish("ok" if code == 0 else "panic", None if code == 0 else "exit code %s" % code)


def _said_at_c_exit():
    """A child's main thread's end, left to the native module's `exit` handler (glibc's
    on_exit), which is given the process's real status: sys.exit, exit(), a SystemExit
    raised by hand, even one caught and replaced. It writes one line on a duplicate of our
    connection, after everything sent here. False where that cannot be (no native module,
    no on_exit, no connection): the last sys.exit's status is said instead."""
    if _native is None or 0 not in _wids.values():
        return False
    with _wlock:
        if _closed or _disowned_locked():
            return False
        try:
            fd = os.dup(_connect_locked().fileno())
        except OSError:
            return False
    if _native.say_exit(fd, _T0, _pid):
        return True
    os.close(fd)
    return False


_exit_status = None  # what the program's main thread last gave sys.exit
_main_ident = [_thread.get_ident()]  # the main thread (a forked child's: the one that forked)


def _exit_code(status):
    """The exit status Python makes of sys.exit(status): None is 0, an int itself, anything
    else (a message) 1."""
    if status is None:
        return 0
    return status & 0xFF if isinstance(status, int) else 1


_orig_exit, _orig_os_exit = sys.exit, os._exit


def _sys_exit(status=None):
    """sys.exit, noting its status: at exit a child process's main thread says it (the
    status is nowhere else to be read by then; the first process's is threadlanes' to read).
    In a child, a SystemExit raised by hand, or one the program catches and goes on from,
    is not seen this way: the last sys.exit's status counts."""
    global _exit_status
    if _thread.get_ident() == _main_ident[0]:  # elsewhere it ends only its thread
        _exit_status = status
    try:
        _orig_exit(status)
    except BaseException as e:
        _unshim(e)
        raise


def _os_exit(status):
    """os._exit ends the process with no atexit: its end is said here, first (only for a
    status os._exit takes: anything else is its own error, and the program goes on)."""
    if isinstance(status, int) and -(1 << 31) <= status < (1 << 31):
        code = status & 0xFF
        _finish("ok" if code == 0 else "panic", None if code == 0 else "exit code %d" % code)
    try:
        _orig_os_exit(status)
    except BaseException as e:
        _unshim(e)
        raise


def _before_fork():
    _wlock.acquire()
    _flush_locked()
    if not _fork_wrapped[0]:
        _fork_filter[0] = _fork_begin()


def _after_fork_parent():
    _fork_over()
    _wlock.release()


def _stop_tracing():
    global _closed
    _closed = True


_our_env = {}  # our variables, as the process's environment had them before _hide_env


def _hide_env():
    """The program's environment is its own: our variables (THREADLANES_*, our directory at
    the head of PYTHONPATH, PYTHONUNBUFFERED where the TUI set it) leave os.environ and the
    process's environment (unsetenv), so what the program starts sees what it would see
    untraced. A child `_traces_child` names gets them back where it is started
    (`_patch_exec`), and is traced too. A fork needs nothing: the shim is in it."""
    env = os.environ
    for name in [n for n in env if n.startswith("THREADLANES_")]:
        _our_env[name] = env.pop(name)
    if _our_env.get("THREADLANES_UNBUFFERED") == "1":  # set by the TUI, not by the user
        _our_env["PYTHONUNBUFFERED"] = env.pop("PYTHONUNBUFFERED", "1")
    value = env.get("PYTHONPATH")
    if value is not None:
        head, _, rest = value.partition(os.pathsep)
        if os.path.abspath(head or ".") == _DIR:
            _our_env["PYTHONPATH"] = value
            if rest:
                env["PYTHONPATH"] = rest
            else:
                del env["PYTHONPATH"]


def _with_ours(pairs, replacing=False):
    """`pairs` (a child's environment as (name, value) bytes, in order) with our variables
    added where it lacks them and our directory at the head of its PYTHONPATH. Where the
    program gave the child a PYTHONUNBUFFERED of its own, the child keeps it (it is not
    told the TUI set it)."""
    have = {k for k, _ in pairs}
    out = [(k, _our_dir_first(v) if k == b"PYTHONPATH" else v) for k, v in pairs]
    for name, value in _ours_for_child(replacing).items():
        key = os.fsencode(name)
        if key in have or (name == "THREADLANES_UNBUFFERED" and b"PYTHONUNBUFFERED" in have):
            continue
        out.append((key, os.fsencode(_DIR if name == "PYTHONPATH" else value)))
    return out


def _ours_for_child(replacing=False):
    """Our variables as a child started now gets them: THREADLANES_PARENT names this
    process and the thread starting it (its lane's parent), not this process's own parent;
    for a program that replaces this process (an exec), this process's own parent: its
    lane goes on under the new program's name."""
    ours = {k: v for k, v in _our_env.items() if k != "THREADLANES_PARENT"}
    w, pid = _my_parent if replacing else (_me(), _pid)
    if w is not None and pid is not None:
        ours["THREADLANES_PARENT"] = "%d %d" % (pid, w)
    return ours


_my_parent = (None, None)  # (worker, pid) of the lane that started this process, if known


def _parent_lane():
    """(worker, pid) of the thread that started this process, where a traced process did
    (see `_ours_for_child`); (None, None) otherwise, or where it exec'd itself (same pid)."""
    said = _our_env.get("THREADLANES_PARENT") or os.environ.get("THREADLANES_PARENT", "")
    try:
        pid, w = (int(x) for x in said.split())
    except ValueError:
        return None, None
    return (None, None) if pid == _pid else (w, pid)


def _our_dir_first(path):
    if not path:
        return os.fsencode(_DIR)
    if os.path.abspath(os.fsdecode(path).partition(os.pathsep)[0] or ".") == _DIR:
        return path
    return os.fsencode(_DIR + os.pathsep) + path


def _process_env():
    """The process's environment as a child started without one gets it: C's `environ`
    (what os.putenv changed too, which os.environ does not show)."""
    try:
        import ctypes

        entries = ctypes.POINTER(ctypes.c_char_p).in_dll(ctypes.CDLL(None), "environ")
        pairs, i = [], 0
        while entries[i] is not None:
            k, _, v = entries[i].partition(b"=")
            pairs.append((k, v))
            i += 1
        return pairs
    except (ImportError, OSError, ValueError):
        return list(os.environb.items())


def _env_for(exe, argv, env, none_ok=False, replacing=False):
    """The environment to start `exe` with `argv`: `env` as given, or, for a child
    `_traces_child` names, `env` with ours added (a mapping read as the exec functions read
    one: its keys, then each value; None, where `none_ok`, for the process's own). What the
    exec function would refuse (a bad argv, an env that is no mapping) is left as given, to
    be refused in its own words."""
    if env is None and not none_ok:
        return env
    try:
        if not _traces_child(exe, argv):
            return env
        if env is None:
            pairs = _process_env()
        else:
            pairs = [(os.fsencode(k), os.fsencode(env[k])) for k in env.keys()]
        return dict(_with_ours(pairs, replacing))
    except Exception:
        return env


_PY_WORD = re.compile(rb"python|pypy|\.pyz?(?![\w.])")
# Programs that run the command they are given: where theirs names Python, the Python they
# start must find our variables in what they pass on.
_LAUNCHERS = frozenset(
    b"sh bash dash zsh ksh mksh fish env uv uvx poetry pipenv pdm hatch rye conda mamba "
    b"micromamba pixi nice nohup timeout time stdbuf taskset chrt ionice setsid xargs sudo "
    b"doas runuser strace ltrace valgrind perf gdb".split()
)
_SYNC_MARK = b"THREADLANES_SOCKET"  # read by threadlanes::sync (and named by threadlanes)
_PY_MAIN = b"Py_BytesMain"  # what CPython's own `main` calls: an interpreter, however named
_kinds = {}  # (dev, ino, mtime, size) -> what the file is (see _file_kind)
_NO_ENV = object()


def _traces_child(exe, argv):
    """Whether a child that execs `exe` (a path, or None where only argv is known) with
    `argv` gets our variables: a Python interpreter the shim can load into (not -I, -E or
    -S), a launcher or shell whose command names Python or a script (`sh -c "python3 x.py"`,
    `uv run x.py`, `env python3`), a `#!` script that names Python, a threadlanes::sync
    program. Anything else sees the program's environment untouched, as untraced."""
    if "THREADLANES_SOCKET" not in _our_env:
        return False
    args = [os.fsencode(a) for a in argv]
    names = [os.path.basename(p) for p in ([os.fsencode(exe)] if exe is not None else [])
             + args[:1]]
    if any(n.startswith((b"python", b"pypy")) for n in names):
        return not _keeps_shim_out(args)
    if any(n in _LAUNCHERS for n in names):
        return any(_PY_WORD.search(a) for a in args[1:])
    kind = _file_kind(exe) if exe is not None else None
    if kind == "python":
        return not _keeps_shim_out(args)
    return kind is not None


def _keeps_shim_out(args):
    """As `trace` reads a command line (src/trace/mod.rs, shim_kept_out): -I or -E ignore
    PYTHONPATH, -S skips sitecustomize; options are read up to the script, -c or -m."""
    it = iter(args[1:])
    for a in it:
        if not a.startswith(b"-") or a in (b"-", b"--"):
            return False
        if a.startswith(b"--"):
            continue
        flags = a[1:]
        for i, c in enumerate(flags):
            if c in b"IES":
                return True
            if c in b"cm":
                return False
            if c in b"WX":
                if i + 1 == len(flags):
                    next(it, None)
                break
    return False


def _file_kind(path):
    """What the file at `path` runs, read once per file: "python" (a CPython interpreter
    under any name: the same file as ours, or a binary calling Py_BytesMain), "sync" (a
    binary with threadlanes::sync in it), "script" (a `#!` script naming Python in its first
    64 KiB: a console script, a shell script that runs one), else None."""
    try:
        st = os.stat(path)
        if st.st_mode & 0o170000 != 0o100000:
            return None  # not a regular file (a FIFO would block the read): exec refuses it
        key = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        if key not in _kinds:
            _kinds[key] = _read_kind(path, st)
        return _kinds[key]
    except (OSError, ValueError, TypeError):
        return None


def _read_kind(path, st):
    mine = os.stat(sys.executable)
    if (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino):
        return "python"
    with open(path, "rb") as f:
        head = f.read(65536)
        if head.startswith(b"#!"):
            return "script" if _PY_WORD.search(head) else None
        import mmap

        try:
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                if m.find(_PY_MAIN) >= 0:
                    return "python"
                return "sync" if m.find(_SYNC_MARK) >= 0 else None
        except (OSError, ValueError):
            return None


def _first_file(candidates, cwd):
    """The file exec would run: the first of subprocess's PATH candidates that is one (a
    relative one from the child's working directory)."""
    for path in candidates or ():
        if cwd is not None and not os.path.isabs(path):
            path = os.path.join(os.fsencode(cwd), os.fsencode(path))
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _errors_untraced(fn):
    """`fn`, whose errors leave it with no frame of the shim's (see `_unshim`)."""

    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BaseException as e:
            _unshim(e)
            raise

    return call


def _patch_exec():
    """Every way the program starts another program: _posixsubprocess.fork_exec (subprocess,
    os.popen, asyncio's subprocesses, multiprocessing's spawn and forkserver), os.execv and
    os.execve (the other exec* functions, os.spawn*, pty.spawn call them), os.posix_spawn and
    posix_spawnp, os.system. Each adds our variables for a child `_traces_child` names, and
    for no other."""
    import _posixsubprocess
    import subprocess

    real_fork_exec = _posixsubprocess.fork_exec

    def fork_exec(args, executable_list, close_fds, pass_fds, cwd, env_list, *rest):
        try:
            traced = _traces_child(_first_file(executable_list, cwd), args)
        except Exception:
            traced = False
        if traced:
            if env_list is None:
                pairs = _process_env()
            else:
                pairs = [e.partition(b"=")[::2] for e in env_list]
            env_list = [k + b"=" + v for k, v in _with_ours(pairs)]
        return real_fork_exec(args, executable_list, close_fds, pass_fds, cwd, env_list, *rest)

    fork_exec = _posing_as(_errors_untraced(fork_exec), _posixsubprocess, "fork_exec")
    _posixsubprocess.fork_exec = fork_exec
    if getattr(subprocess, "_fork_exec", None) is real_fork_exec:
        subprocess._fork_exec = fork_exec  # 3.11+ keeps its own name for it
    for name in ("execve", "posix_spawn", "posix_spawnp"):
        fn = getattr(os, name, None)
        if fn is not None:
            setattr(os, name, _posing_as(_errors_untraced(_spawning(fn, name)), os, name))
    execv = _execv(os.execv, getattr(os, "execve", None))
    os.execv = _posing_as(_errors_untraced(execv), os, "execv")
    os.system = _posing_as(_errors_untraced(_system(os.system)), os, "system")


def _spawning(fn, name):
    """os.execve, posix_spawn or posix_spawnp, with our variables in the env given (by place,
    or for execve by name too; posix_spawn's env may be None from 3.13: the process's)."""
    by_name = name == "execve"
    none_ok = not by_name and sys.version_info >= (3, 13)

    def call(*args, **kwargs):
        given = list(args[:3])
        if by_name:
            given += [kwargs.get(k, _NO_ENV) for k in ("path", "argv", "env")[len(given):]]
        if len(given) == 3 and all(g is not _NO_ENV for g in given):
            env = _env_for(given[0], given[1], given[2], none_ok, replacing=by_name)
            if by_name and env is given[2] and hasattr(env, "keys"):
                _before_exec(given[0])
            if len(args) >= 3:
                args = args[:2] + (env,) + args[3:]
            else:
                kwargs["env"] = env
        return fn(*args, **kwargs)

    return call


def _execv(real_execv, real_execve):
    """os.execv: a child `_traces_child` names is started by execve, with the process's
    environment and ours; its errors are execv's (no file name in an OSError)."""

    def execv(*args, **kwargs):
        if len(args) == 2 and not kwargs and real_execve is not None:
            path, argv = args
            ok = isinstance(argv, (list, tuple)) and len(argv) > 0 and bool(argv[0])
            env = _env_for(path, argv, None, none_ok=True, replacing=True) if ok else None
            if ok and env is None:
                _before_exec(path)
            if env is not None:
                failed = None
                try:
                    real_execve(path, argv, env)
                except OSError as e:
                    failed = OSError(e.errno, e.strerror)
                raise failed  # outside the handler: no context, as execv raises it
        return real_execv(*args, **kwargs)

    return execv


def _before_exec(path):
    """This process is about to become a program that is not traced: its lanes end here, its
    main thread's saying what it runs ("execs ls (not traced)"), as nothing more will come
    from it. Only for a file exec can run (a PATH search tries each directory in turn), and
    not for the process threadlanes started, whose status threadlanes reads when the
    program it became ends. Should exec fail even so, the process goes on untraced."""
    if _root[0] or _closed or _me() is None:
        return
    try:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return
        name = os.path.basename(os.fsdecode(path))
    except (TypeError, ValueError):
        return
    _finish("ok", "execs %s (not traced)" % name)


def _system(real_system):
    """os.system: a command that runs Python is told our variables first (system() takes no
    environment of its own)."""

    def system(*args, **kwargs):
        if len(args) == 1 and not kwargs:
            try:
                command = os.fspath(args[0])
                if _traces_child(None, [b"sh", b"-c", command]):
                    args = (_exports(command) + command,)
            except Exception:
                pass  # refused below in system()'s own words
        return real_system(*args, **kwargs)

    return system


def _exports(command):
    """What os.system's shell is told first: our variables, exported to all it starts."""
    import shlex

    ours = _ours_for_child()
    words = ["%s=%s" % (k, shlex.quote(v)) for k, v in ours.items() if k != "PYTHONPATH"]
    words.append("PYTHONPATH=%s${PYTHONPATH:+%s$PYTHONPATH}" % (shlex.quote(_DIR), os.pathsep))
    text = "export %s; " % " ".join(words)
    return os.fsencode(text) if isinstance(command, bytes) else text


def _in_preexec():
    """This child was forked by subprocess to run a preexec_fn before it execs: not a
    process of the program's own (it becomes the program it execs)."""
    f = sys._getframe(1)
    while f is not None:
        if f.f_code.co_name == "_execute_child" and f.f_code.co_filename.endswith("subprocess.py"):
            return True
        f = f.f_back
    return False


def _after_fork_child():
    global _wlock, _sock, _pid, _last_task, _my_parent
    _fork_over()
    _main_ident[0] = _get_ident()
    parent_pid, parent_w = _pid, _wids.get(_get_ident())
    _wlock = _thread.RLock()
    _buf.clear()
    _rec.clear()
    _helper_tids.clear()  # the parent's threads: not here
    if _native is not None:
        _native.take()  # the parent's records: the parent sends them
    _out.clear()
    # The parent's connection stays the parent's: the child's copy of its descriptor is
    # closed (dropped unclosed, it would warn "unclosed socket" under -X dev).
    s, _sock = _sock, None
    if s is not None:
        try:
            s.close()
        except OSError:
            pass
    _pid = os.getpid()
    _root[0] = False
    _wids.clear()
    _live.clear()
    _next_w[0] = 1
    _last_task = _NO_TASK
    _names.clear()
    _main_done[0] = False
    _parked.clear()  # the parent's gates: no thread of them came along
    _proc_declared[0] = True
    _start_flusher()
    if _closed:
        return
    if _in_preexec():
        _stop_tracing()  # about to exec: the program it runs reports for itself, if it can
        return
    if _forkserver[0]:
        # A Process the forkserver forked: it says who it is in _bootstrap.
        _forkserver[0] = False
        _wids[_get_ident()] = None
        _proc_declared[0] = False
        return
    _wids[_get_ident()] = 0
    _my_parent = (parent_w, parent_pid)
    p = _starting[0]
    if p is not None:
        _declare_worker(0, p.name, "process", p.daemon, parent_w, parent_pid)
    else:
        _declare_worker(0, "fork", "process", False, parent_w, parent_pid)
    _emit(0, '"op":"start"}')
    _said_who()


_declared_hooks = []  # what a process says once it has said who it is (a fork, a spawn)


def _said_who():
    for hook in _declared_hooks:
        hook()


def install():
    if not _PATH or getattr(builtins, "_threadlanes_installed", False):
        return
    builtins._threadlanes_installed = True
    import atexit
    import threading

    os.environ.setdefault("THREADLANES_T0", str(_T0))
    argv = " ".join(getattr(sys, "orig_argv", []))
    if "multiprocessing.resource_tracker" in argv:
        return  # multiprocessing's own helper process: not part of the program's story
    # The forkserver is not part of it either, but the Processes it forks are: it is set up
    # as they need (every patch, no lane, no thread of ours: it forks single-threaded), and
    # each child says who it is in _bootstrap, as a spawned Process does.
    _forkserver[0] = "multiprocessing.forkserver" in argv
    root = os.environ.get("THREADLANES_ROOT_PID")
    if root is not None and ("--multiprocessing-fork" in argv or _forkserver[0]):
        _wids[_get_ident()] = None  # a spawned Process: it says who it is in _bootstrap
    if root is None:
        # The process threadlanes started (not a Python some other program of it started,
        # as `uv run` does): threadlanes reads its status.
        _root[0] = str(os.getppid()) == os.environ.get("THREADLANES_VIEWER")
        os.environ["THREADLANES_ROOT_PID"] = str(_pid)
        _wids[_get_ident()] = 0
        _declare_worker(0, "main", "main", False, None)
        _emit(0, '"op":"start"}')
    _patch_threading()
    _patch_queue()
    time.sleep = _posing_as(_sleep, time, "sleep")
    builtins.print = _posing_as(_print, builtins, "print")
    if _TUI:
        # Only the TUI has the keyboard: elsewhere input() is left as it is (no frame of
        # ours in a traceback through it).
        builtins.input = _posing_as(_input, builtins, "input")
    _patch_futures()
    _when_imported("asyncio", _patch_asyncio)
    _when_imported("multiprocessing.shared_memory", _patch_shared_memory)
    _patch_multiprocessing()
    _patch_manager()
    atexit.register(_at_exit)
    sys.exit = _posing_as(_sys_exit, sys, "exit")
    os._exit = _posing_as(_os_exit, os, "_exit")
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_parent,
                        after_in_child=_after_fork_child)
    if _native is not None:
        _native.configure(globals())
    if not _forkserver[0]:
        _start_flusher()
    _patch_exec()
    _quiet_fork()
    _hide_env()
    del threading
