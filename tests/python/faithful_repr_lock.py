"""An item whose __repr__ takes a lock the putting thread holds: labelling it must not call
it (untraced this runs through; a tracer that repr'd the item would deadlock). A 4 MB
item goes through too, labelled from its first bytes."""
import queue
import sys
import threading


class Job:
    def __init__(self, n):
        self.n = n
        self.lock = threading.Lock()

    def __repr__(self):
        with self.lock:
            return "Job(%d)" % self.n


q = queue.Queue()
job = Job(1)
with job.lock:
    q.put(job)
    q.put(b"x" * (4 << 20))
print("got", q.get().n, file=sys.stderr)
print("got", len(q.get()), "bytes", file=sys.stderr)
