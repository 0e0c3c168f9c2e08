"""Cost of one threading.Lock acquire+release, for README's overhead figure. Run it plain and
under the tracer and compare:

    python3 scripts/lock_overhead.py
    threadlanes trace --headless --json -- python3 scripts/lock_overhead.py > /dev/null

(with --json the program's own output goes to stderr, so the figure still shows). CPU time
of this process is reported beside wall time: on a busy machine it is the steadier figure."""
import threading
import time

ROUNDS = 200_000


def per_round(body):
    """(wall, cpu) ns per round, the best of three runs."""
    best = None
    for _ in range(3):
        w0, c0 = time.perf_counter_ns(), time.process_time_ns()
        body()
        r = ((time.perf_counter_ns() - w0) / ROUNDS, (time.process_time_ns() - c0) / ROUNDS)
        best = r if best is None else (min(best[0], r[0]), min(best[1], r[1]))
    return best


lock = threading.Lock()


def acquire_release():
    for _ in range(ROUNDS):
        lock.acquire()
        lock.release()


def with_block():
    for _ in range(ROUNDS):
        with lock:
            pass


print("acquire()+release(): %.0f ns wall, %.0f ns cpu" % per_round(acquire_release))
print("with lock:           %.0f ns wall, %.0f ns cpu" % per_round(with_block))
