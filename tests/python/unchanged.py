"""The tracer changes nothing a program can see: each check holds with and without it (the
test runs this both ways)."""
import _thread
import queue
import threading

# Lock: `with` gets what acquire returns; a try on a held lock fails; a timeout with
# blocking=False is refused as Python refuses it; releasing a free lock is an error.
lock = threading.Lock()
with lock as got:
    assert got is True
    assert lock.locked()
    assert lock.acquire(blocking=False) is False
try:
    lock.acquire(False, 1)
    raise AssertionError("a timeout with blocking=False must be refused")
except ValueError:
    pass
try:
    lock.release()
    raise AssertionError("releasing a free lock must fail")
except RuntimeError:
    pass

# RLock: only its owner may release it, however deep.
rlock = threading.RLock()
rlock.acquire()
rlock.acquire()
errors = []


def stranger():
    try:
        rlock.release()
    except RuntimeError:
        errors.append("refused")


t = threading.Thread(target=stranger)
t.start()
t.join()
assert errors == ["refused"], errors
rlock.release()
rlock.release()

# Condition: waiting without the lock is an error; a timed-out wait returns False and holds
# the lock again.
cond = threading.Condition(threading.Lock())
try:
    cond.wait(0.01)
    raise AssertionError("waiting without the lock must fail")
except RuntimeError:
    pass
with cond:
    assert cond.wait(0.01) is False
    assert cond._is_owned()

# Semaphore(0): nothing to take until someone releases; BoundedSemaphore refuses extra.
sem = threading.Semaphore(0)
assert sem.acquire(timeout=0.01) is False
sem.release(2)
assert sem.acquire(blocking=False) and sem.acquire(blocking=False)
bounded = threading.BoundedSemaphore(1)
try:
    bounded.release()
    raise AssertionError("a bounded semaphore must refuse an extra release")
except ValueError:
    pass

# Types and queue errors are the standard ones.
assert isinstance(threading.Event(), threading.Event)
assert isinstance(queue.LifoQueue(), queue.Queue)
small = queue.Queue(maxsize=1)
small.put_nowait(1)
try:
    small.put_nowait(2)
    raise AssertionError("a full queue must say so")
except queue.Full:
    pass

# A thread started outside threading is not made into a Thread object.
seen = []
done = threading.Event()


def raw():
    seen.append(threading.active_count())
    done.set()


_thread.start_new_thread(raw, ())
done.wait(5)
assert seen == [1], seen
assert threading.active_count() == 1
print("semantics unchanged")
