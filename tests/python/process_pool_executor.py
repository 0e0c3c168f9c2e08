"""A ProcessPoolExecutor, forked and spawned: each task is submitted by the parent and run
in a worker process, whose lane shows it; a task that raises gives the parent its error
(with the traceback it has untraced), and map's results come back in order."""
import concurrent.futures as cf
import multiprocessing as mp
import sys


def square(x):
    return x * x


def fails(x):
    raise ValueError("no %d" % x)


if __name__ == "__main__":
    for method in ("fork", "spawn"):
        with cf.ProcessPoolExecutor(2, mp_context=mp.get_context(method)) as pool:
            futures = [pool.submit(square, i) for i in range(3)]
            print(method, [f.result() for f in futures], list(pool.map(square, range(3))),
                  file=sys.stderr)
            try:
                pool.submit(fails, 7).result()
            except ValueError as e:
                print(method, "raised", e, file=sys.stderr)
