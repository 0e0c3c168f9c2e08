"""Lesson: a BoundedSemaphore(3) lets three workers in at a time; the rest queue."""
import threading
import time

slots = threading.BoundedSemaphore(3)
inside = []
most = [0]
count_lock = threading.Lock()


def visit(i):
    with slots:
        with count_lock:
            inside.append(i)
            most[0] = max(most[0], len(inside))
        time.sleep(0.02)
        with count_lock:
            inside.remove(i)


visitors = [threading.Thread(target=visit, args=(i,), name=f"visitor-{i}") for i in range(8)]
for v in visitors:
    v.start()
for v in visitors:
    v.join()
print("most inside at once:", most[0])
try:
    slots.release()
except ValueError:
    print("a bounded semaphore refuses an extra release")
