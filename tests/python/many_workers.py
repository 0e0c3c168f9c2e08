"""A pool that starts a fresh process for every task (maxtasksperchild=1): many processes
over the program's life, few alive at once. Prints the pids that ran a task."""
import multiprocessing as mp
import os
import sys


def task(i):
    return os.getpid()


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    with mp.Pool(4, maxtasksperchild=1) as pool:
        pids = sorted(set(pool.map(task, range(n), chunksize=1)))
    print("worker pids:", " ".join(map(str, pids)), flush=True)
