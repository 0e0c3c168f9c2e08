"""Lesson: two jobs that each need the shared total whole; the lock runs each one whole.
Also a try-lock (blocking=False) and a timeout that runs out."""
import threading

total = 0
total_lock = threading.Lock()


def job(step, name):
    global total
    with total_lock:
        for _ in range(5):
            total += step
        print(name, "total", total)


one = threading.Thread(target=job, args=(1, "job1"), name="job1")
ten = threading.Thread(target=job, args=(10, "job10"), name="job10")
one.start()
ten.start()
one.join()
ten.join()

total_lock.acquire()
print("try while held:", total_lock.acquire(blocking=False))
print("timeout while held:", total_lock.acquire(timeout=0.02))
total_lock.release()
print("final", total)
