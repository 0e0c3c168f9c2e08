"""Lesson: producers put, consumers get and mark each task done, the main thread joins the
queue. A bounded queue makes fast producers wait."""
import queue
import threading
import time

jobs = queue.Queue(maxsize=2)
done = []
done_lock = threading.Lock()


def producer(name):
    for i in range(3):
        jobs.put(f"{name}-{i}")


def consumer():
    while True:
        job = jobs.get()
        time.sleep(0.005)
        with done_lock:
            done.append(job)
        jobs.task_done()


producers = [threading.Thread(target=producer, args=(p,), name=p) for p in ("bread", "milk")]
for n in range(2):
    threading.Thread(target=consumer, name=f"consumer-{n}", daemon=True).start()
for p in producers:
    p.start()
for p in producers:
    p.join()
jobs.join()
print("consumed", len(done))
