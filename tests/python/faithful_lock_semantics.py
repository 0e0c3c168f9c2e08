"""What a program can observe of threading.Lock and RLock is Python's, whichever path the
tracer takes (its native core's fast path, or the Python methods it falls back to): return
values, errors and their messages, timeouts, weak references, `with` around an exception,
a lock released by another thread, a Condition over each kind, locks made many ways (their
names in the stream the same on both paths), and a fork's child."""
import gc
import os
import pickle
import sys
import threading
import warnings
import weakref


def say(*a):
    print(*a, file=sys.stderr)


def errors(f):
    try:
        return f()
    except Exception as e:  # the message is part of what the program sees
        return "%s: %s" % (type(e).__name__, e)


lock, rlock = threading.Lock(), threading.RLock()
say("acquire", lock.acquire(), lock.locked())
say("again, not blocking", lock.acquire(False), lock.acquire(blocking=False))
say("again, timeout", lock.acquire(timeout=0.01), lock.acquire(True, 0.01))
say("release", lock.release(), lock.locked())
say("release twice", errors(lock.release))
say("bad timeout", errors(lambda: lock.acquire(False, 1)))
say("keyword", lock.acquire(blocking=True), errors(lambda: lock.acquire(nonsense=1)))
lock.release()

say("rlock", rlock.acquire(), rlock.acquire(), rlock.acquire(timeout=1))
say("rlock release", rlock.release(), rlock.release(), rlock.release())
say("rlock over-release", errors(rlock.release))

try:
    with lock:
        raise KeyError("inside")
except KeyError as e:
    say("with passes", repr(e), lock.locked())
with rlock, rlock:
    say("nested with", rlock._is_owned())

# A Lock may be released by a thread that did not take it; an RLock may not.
lock.acquire()
rlock.acquire()
out = []
t = threading.Thread(target=lambda: out.extend([errors(lock.release), errors(rlock.release)]))
t.start()
t.join()
say("released elsewhere", out, lock.locked())
rlock.release()

# Taken by another thread: the acquire waits, then gets it.
lock.acquire()
got = []
t = threading.Thread(target=lambda: got.append(lock.acquire(timeout=5)))
t.start()
lock.release()
t.join()
say("waited for", got, lock.locked())
lock.release()

ref = weakref.ref(lock)
say("weakref", ref() is lock)
del lock
gc.collect()
say("freed", ref() is None)

for kind in (threading.Lock, threading.RLock):
    cond = threading.Condition(kind())
    ready = []

    def waiter():
        with cond:
            cond.wait_for(lambda: ready)
            ready.append("seen")

    t = threading.Thread(target=waiter)
    t.start()
    with cond:
        ready.append("go")
        cond.notify()
    t.join()
    say("condition over", kind.__name__, ready)

# Made many ways: in a loop, two on a line, as an attribute, by a function called twice,
# inside the standard library (a Queue's own locks are not the program's).
import queue  # noqa: E402


class Account:
    def __init__(self):
        self.lock = threading.Lock()


def make():
    return threading.RLock()


pool = [threading.Lock() for _ in range(3)]
left, right = threading.Lock(), threading.RLock()
accounts = [Account(), Account()]
made = [make(), make()]
q = queue.Queue()
with threading.Lock() as held:
    say("with as", held)
say("made", len(pool), type(left).__name__ == type(pool[0]).__name__, accounts[1].lock.locked())
say("factory", threading.Lock.__name__, threading.RLock.__name__, callable(threading.Lock))
say("pickled by name", pickle.loads(pickle.dumps(threading.Lock)) is threading.Lock)
say("no arguments", errors(lambda: threading.Lock(1)))
say("is a Lock", errors(lambda: isinstance(left, threading.Lock)), errors(lambda: isinstance(q.mutex, threading.Lock)))


def subclass(kind):
    """A class of the program's on the type of a lock: a Lock's refuses, an RLock's works."""
    try:
        mine = type("Mine", (type(kind()),), {})
    except TypeError:
        return "not a base"
    m = mine()
    with m:
        with m:
            c = threading.Condition(m)
            with c:
                c.notify()
    return type(m).__name__, m.acquire(False), errors(m.release), errors(m.release)


say("subclassed", subclass(threading.Lock), subclass(threading.RLock))

# Python 3.12+ warns about a fork with threads running, and counts the tracer's two helper
# threads (README, "Not yet"): not what this program is about.
warnings.filterwarnings("ignore", "This process", DeprecationWarning)
lock = threading.Lock()
lock.acquire()
pid = os.fork()
if pid == 0:
    # The child has the parent's lock, taken; its own records start empty.
    say("child", lock.locked(), errors(lock.release), lock.acquire(False))
    os._exit(0)
os.waitpid(pid, 0)
lock.release()
say("parent", lock.locked())
