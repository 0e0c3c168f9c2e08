"""queue.SimpleQueue between threads: shown as a queue, its items going in and out, and the
program's own view of it unchanged."""
import queue
import sys
import threading

jobs = queue.SimpleQueue()
print("is a SimpleQueue:", isinstance(jobs, queue.SimpleQueue), type(jobs).__name__, file=sys.stderr)


def produce():
    for i in range(3):
        jobs.put(i)
    jobs.put_nowait(None)


t = threading.Thread(target=produce)
t.start()
got = []
while (item := jobs.get()) is not None:
    got.append(item)
t.join()
try:
    jobs.get_nowait()
except queue.Empty:
    print("empty at the end", file=sys.stderr)
print("got", got, file=sys.stderr)
