"""multiprocessing's Condition and Barrier, shared by processes (forked and spawned): the
parent waits on the condition (over a Lock it made) until a child changes a shared Value
and notifies all, then both meet at the barrier."""
import multiprocessing as mp, sys

def child(cond, bar, box):
    with cond:
        box.value = 1
        cond.notify_all()
    bar.wait()

if __name__ == "__main__":
    for method in ("fork", "spawn"):
        ctx = mp.get_context(method)
        lock = ctx.Lock()
        cond = ctx.Condition(lock)
        bar = ctx.Barrier(2)
        box = ctx.Value("i", 0)
        p = ctx.Process(target=child, args=(cond, bar, box))
        with cond:
            p.start()
            print(method, cond.wait_for(lambda: box.value == 1, 10), file=sys.stderr)
        bar.wait()
        p.join()
