"""The spawn start method: each child is a fresh interpreter; the shared Queue, Lock and
Value still report as the same objects."""
import multiprocessing as mp


def work(n, results, lock, total):
    with lock:
        total.value = total.value + n
    results.put(n)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    lock = ctx.Lock()
    total = ctx.Value("i", 0)
    kids = [ctx.Process(target=work, args=(n, results, lock, total), name=f"spawned-{n}") for n in (1, 2)]
    for k in kids:
        k.start()
    got = sorted(results.get() for _ in kids)
    for k in kids:
        k.join()
    print("got:", got, "total:", total.value)
