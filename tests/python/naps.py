"""Four threads that each sleep ten times for half a second, taking turns on a lock: twenty
seconds of sleeping. Seeded, the sleeps pass on threadlanes' logical clock and the run takes
about as long as its work."""
import threading
import time

total = 0
total_lock = threading.Lock()


def napper(n):
    global total
    for _ in range(10):
        time.sleep(0.5)
        with total_lock:
            total += n


ts = [threading.Thread(target=napper, args=(n,), name="napper-%d" % n) for n in range(1, 5)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("total", total)
