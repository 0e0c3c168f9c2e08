"""A traced asyncio await beside a traced threading.Lock round, measured in one process so
both see the same machine at the same moment. Run it plain and under the tracer:

    python3 scripts/await_overhead.py
    threadlanes trace --headless --json -- python3 scripts/await_overhead.py > /dev/null

(with --json the program's own output goes to stderr). Each figure is ns per round, the
best of three runs, wall time and this process's CPU time:

- lock round: `with lock:` on a threading.Lock (acquire_begin, acquire_end, release traced);
- await sleep(0): `await asyncio.sleep(0)` in a task, a hand-back to the loop and return
  (sleep_begin, sleep_end traced);
- await async lock: `async with alock:` on an asyncio.Lock nobody else holds
  (acquire_begin, acquire_end, release traced);
- task life: a task made by gather, one `await asyncio.sleep(0)`, its end (its declaration,
  start, sleep and exit traced, and the gathering task's join), per task, in thousands.

The traced cost of an await is its traced figure less its plain one; compare it with the
lock round's the same way."""
import asyncio
import threading
import time

ROUNDS = 100_000


def per_round(run):
    """(wall, cpu) ns per round, the best of three runs."""
    best = None
    for _ in range(3):
        w0, c0 = time.perf_counter_ns(), time.process_time_ns()
        run()
        r = ((time.perf_counter_ns() - w0) / ROUNDS, (time.process_time_ns() - c0) / ROUNDS)
        best = r if best is None else (min(best[0], r[0]), min(best[1], r[1]))
    return best


lock = threading.Lock()


def lock_rounds():
    for _ in range(ROUNDS):
        with lock:
            pass


async def sleep_rounds():
    for _ in range(ROUNDS):
        await asyncio.sleep(0)


async def alock_rounds(alock):
    for _ in range(ROUNDS):
        async with alock:
            pass


async def one_task():
    await asyncio.sleep(0)


async def task_lives():
    for _ in range(ROUNDS // 1000):
        await asyncio.gather(*(one_task() for _ in range(1000)))


async def main():
    alock = asyncio.Lock()
    figures = {"lock round": per_round(lock_rounds)}
    # Awaits are timed inside the running loop: a task runs the rounds, this one waits.
    rounds = (("await sleep(0)", sleep_rounds), ("await async lock", lambda: alock_rounds(alock)),
              ("task life", task_lives))
    for name, make in rounds:
        best = None
        for _ in range(3):
            w0, c0 = time.perf_counter_ns(), time.process_time_ns()
            await asyncio.create_task(make(), name=name)
            r = ((time.perf_counter_ns() - w0) / ROUNDS, (time.process_time_ns() - c0) / ROUNDS)
            best = r if best is None else (min(best[0], r[0]), min(best[1], r[1]))
        figures[name] = best
    for name, (wall, cpu) in figures.items():
        print(f"{name:18} {wall:8.0f} ns wall {cpu:8.0f} ns cpu")


asyncio.run(main())
