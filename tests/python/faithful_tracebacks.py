"""Exceptions that come out of what the tracer wraps carry the tracebacks they carry
untraced, with no frame of the tracer's: a thread pool's failed task through
Future.result(), a process pool's task through apply() and AsyncResult.get(), a get that
times out on a queue.Queue and on a multiprocessing Queue, a join of the current thread, a
broken Barrier, input() at the end of its input, a lock released that is not held, a
bounded semaphore released too often, a task_done too many, a notify of a Condition not
held, a shared Array's cell out of range or given what it cannot hold. Each traceback is
printed whole (file, line, function and source of every frame) and its frames counted, as
code that formats exceptions would."""
import concurrent.futures
import multiprocessing as mp
import queue
import sys
import threading
import traceback


def say(*a):
    print(*a, file=sys.stderr)


def boom(x):
    raise ValueError(x)


def shown(what, call):
    try:
        call()
    except BaseException as e:  # the traceback is what this program looks at
        frames = traceback.extract_tb(e.__traceback__)
        say(what, type(e).__name__, len(frames), [f.name for f in frames])
        say("".join(traceback.format_exception(type(e), e, e.__traceback__)).rstrip())


def barrier():
    b = threading.Barrier(2)
    b.abort()
    b.wait()


if __name__ == "__main__":
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        shown("future", ex.submit(boom, 1).result)
    q = queue.Queue()
    shown("queue get", lambda: q.get(timeout=0.01))
    shown("join self", threading.current_thread().join)
    shown("barrier", barrier)
    shown("input", input)
    shown("release unlocked", threading.Lock().release)
    shown("rlock not owned", threading.RLock().release)
    shown("bounded", threading.BoundedSemaphore(1).release)
    shown("task_done", q.task_done)
    shown("notify unowned", threading.Condition().notify)
    shown("notify_all unowned", threading.Condition().notify_all)
    mq = mp.Queue()
    shown("mp queue get", lambda: mq.get(timeout=0.01))
    cells = mp.Array("i", 2)
    shown("array index", lambda: cells[2])
    shown("array type", lambda: cells.__setitem__(0, "x"))
    shown("array slice", lambda: cells.__setitem__(slice(0, 2), [1]))
    with mp.Pool(1) as pool:
        shown("pool apply", lambda: pool.apply(boom, (2,)))
        shown("pool get", lambda: pool.apply_async(boom, (3,)).get(timeout=10))
