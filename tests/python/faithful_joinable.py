"""A multiprocessing JoinableQueue between processes (fork and spawn): its puts are seen,
so no get comes from a queue the stream says is empty, and the program runs as untraced."""
import multiprocessing as mp
import sys


def worker(q, done):
    while True:
        item = q.get()
        q.task_done()
        if item is None:
            break
        done.put(item * 10)


if __name__ == "__main__":
    for method in ("fork", "spawn"):
        ctx = mp.get_context(method)
        q, done = ctx.JoinableQueue(), ctx.Queue()
        p = ctx.Process(target=worker, args=(q, done))
        p.start()
        for i in range(3):
            q.put(i)
        q.put(None)
        q.join()
        p.join()
        print(method, sorted(done.get() for _ in range(3)), p.exitcode, file=sys.stderr)
