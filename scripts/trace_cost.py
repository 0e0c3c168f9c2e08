"""What tracing costs a Python program: the same workloads run plain, under VizTracer and under
`threadlanes trace` (with and without --json), side by side in one run, with the ratios.

    python3 scripts/trace_cost.py [--bin target/release/threadlanes] [--cases lock,threads,...] [--pin]

Ratios are given by wall and by CPU time: on a machine shared with other work, wall time
also counts the time the program was kept off the CPU, so compare CPU time there; wall/cpu of
a traced run well above plain's says the program waited (for its tracer, or for a core).
--pin gives the program CPU 0 (plain and under VizTracer too) and threadlanes CPU 1: the
budget's "given a core for the reader", on a two-core machine.

Cases (each times itself inside the program, so start-up and the tracer's own start and end
are not counted; `wall` beside `cpu` shows whether the program waited for its tracer):
- lock: one threading.Lock acquire+release round, best of 3 x 50,000 (ns per round);
- threads: 4 threads doing 100,000 acquire+release rounds each on one lock (s);
- locks: creating 50,000 locks (s);
- queue: 64 items of 4 MB through a queue.Queue, producer and consumer threads (s, and the
  peak resident memory of the program).

VizTracer is the baseline the budget names (`pip install viztracer`); without it its column
says so. Build threadlanes first (`cargo build --release`): a debug build's reader is not
what a user runs."""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROUNDS = 50_000

# ── the workloads (run in the measured process) ──────────────────────────────────────


def case_lock():
    import threading

    lock = threading.Lock()
    best_w = best_c = None
    for _ in range(3):
        w0, c0 = time.perf_counter_ns(), time.process_time_ns()
        for _ in range(ROUNDS):
            lock.acquire()
            lock.release()
        w = (time.perf_counter_ns() - w0) / ROUNDS
        c = (time.process_time_ns() - c0) / ROUNDS
        best_w = w if best_w is None else min(best_w, w)
        best_c = c if best_c is None else min(best_c, c)
    return {"wall": best_w, "cpu": best_c, "unit": "ns/round"}


def timed(body):
    w0, c0 = time.perf_counter(), time.process_time()
    body()
    return {"wall": time.perf_counter() - w0, "cpu": time.process_time() - c0, "unit": "s"}


def case_threads():
    import threading

    lock = threading.Lock()

    def work():
        for _ in range(100_000):
            lock.acquire()
            lock.release()

    def body():
        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    return timed(body)


def case_locks():
    import threading

    keep = []
    return timed(lambda: keep.extend(threading.Lock() for _ in range(50_000)))


def case_queue():
    import queue
    import threading

    q = queue.Queue()

    def produce():
        for i in range(64):
            q.put(bytes([i % 256]) * (4 << 20))
        q.put(None)

    def consume():
        while q.get() is not None:
            pass

    def body():
        ts = [threading.Thread(target=produce), threading.Thread(target=consume)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    r = timed(body)
    r["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return r


CASES = {"lock": case_lock, "threads": case_threads, "locks": case_locks, "queue": case_queue}


def child(case, out):
    r = CASES[case]()
    with open(out, "w") as f:
        json.dump(r, f)


# ── the driver ───────────────────────────────────────────────────────────────────────


def viztracer_cmd():
    try:
        import viztracer  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "viztracer", "--quiet", "-o"]


def run(cmd, out):
    """Runs one measured program; its figures, and the wall time of the whole command."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    whole = time.perf_counter() - t0
    if p.returncode != 0 or not os.path.exists(out):
        return {"error": "exit %d: %s" % (p.returncode, p.stderr.strip()[-300:])}
    with open(out) as f:
        r = json.load(f)
    os.unlink(out)
    r["whole"] = whole
    return r


def fmt(r):
    if r is None:
        return "n/a"
    if "error" in r:
        return "failed (%s)" % r["error"]
    if r["unit"] == "ns/round":
        s = "%7.0f ns wall %7.0f ns cpu" % (r["wall"], r["cpu"])
    else:
        s = "%7.3f s wall %7.3f s cpu" % (r["wall"], r["cpu"])
    if "rss_mb" in r:
        s += " %6.0f MB peak" % r["rss_mb"]
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "threadlanes"))
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--pin", action="store_true", help="the program on CPU 0, threadlanes on CPU 1 (taskset)")
    ap.add_argument("--child", nargs=2, metavar=("CASE", "OUT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return child(*a.child)
    me = os.path.abspath(__file__)
    tl = os.path.abspath(a.bin)
    if not os.path.exists(tl):
        sys.exit("no threadlanes binary at %s (cargo build --release, or --bin PATH)" % tl)
    viz = viztracer_cmd()
    if viz is None:
        print("VizTracer is not installed (pip install viztracer): its column is n/a")
    tmp = tempfile.mkdtemp(prefix="trace-cost-")
    try:
        for case in a.cases.split(","):
            out = os.path.join(tmp, case + ".json")
            py = [sys.executable, me, "--child", case, out]
            on_its_core, reader_core = [], []
            if a.pin:
                on_its_core, reader_core = ["taskset", "-c", "0"], ["taskset", "-c", "1"]
            tl_cmd = reader_core + [tl, "trace", "--headless"]
            py = on_its_core + py
            rows = [("plain", run(py, out))]
            if viz:
                vcmd = on_its_core + viz + [os.path.join(tmp, "viz.json"), "--"] + py[len(on_its_core) + 1:]
                rows.append(("viztracer", run(vcmd, out)))
            else:
                rows.append(("viztracer", None))
            rows.append(("threadlanes --json", run(tl_cmd + ["--json", "--"] + py, out)))
            rows.append(("threadlanes", run(tl_cmd + ["--"] + py, out)))
            report(case, rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(case, rows):
    print("%s:" % case)
    base = rows[0][1]
    for name, r in rows:
        print("  %-19s %s" % (name, fmt(r)))
    viz = dict(rows).get("viztracer")
    ok = lambda r: r is not None and "error" not in r  # noqa: E731
    if not ok(base):
        return
    for name, r in rows[1:]:
        if not ok(r):
            continue
        line = "  %-19s" % name
        for clock in ("wall", "cpu"):
            line += " %s x%.1f plain" % (clock, r[clock] / base[clock])
            extra, vx = r[clock] - base[clock], (viz[clock] - base[clock]) if ok(viz) else 0
            if name != "viztracer" and vx > 0:
                line += " (extra x%.2f VizTracer's)" % (extra / vx)
            line += ";"
        # wall well past cpu: the program waited (for its tracer, or for a busy machine)
        print(line + " wall/cpu %.2f" % (r["wall"] / r["cpu"]))


if __name__ == "__main__":
    main()
