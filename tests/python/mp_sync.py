"""multiprocessing's Semaphore, BoundedSemaphore and Event, shared by processes: three
children take one of two slots each, one at a time or two at once, then the last one sets
an event the parent waits on. Names come from the line that made each (three on a line)."""
import multiprocessing as mp
import sys
import time


def worker(n, slots, bounded, done):
    with slots:
        time.sleep(0.02)
    bounded.acquire()
    bounded.release()
    if n == 2:
        done.set()


if __name__ == "__main__":
    slots, cond, done = mp.Semaphore(2), mp.Condition(), mp.Event()
    bounded = mp.BoundedSemaphore(1)
    kids = [mp.Process(target=worker, args=(n, slots, bounded, done)) for n in range(3)]
    for k in kids:
        k.start()
    print("set:", done.wait(10), file=sys.stderr)
    for k in kids:
        k.join()
    try:
        bounded.release()
    except ValueError as e:
        print("too many:", e, file=sys.stderr)
