"""A stdout that records each write, as a logging writer does: print makes the same writes
traced as untraced (each argument, each separator, the end apart). A forked child under
warnings shown (as -X dev shows them) prints no ResourceWarning of the tracer's."""
import os
import sys
import warnings


class Recorder:
    def __init__(self):
        self.writes = []

    def write(self, s):
        self.writes.append(s)
        return len(s)

    def flush(self):
        self.writes.append("<flush>")


rec = Recorder()
sys.stdout = rec
print("a", "b")
print(1, 2, sep="-", end="!\n", flush=True)
print()
sys.stdout = sys.__stdout__
print("writes:", rec.writes, file=sys.stderr)

warnings.simplefilter("always")
pid = os.fork()
if pid == 0:
    print("child here", file=sys.stderr)
    sys.stderr.flush()
    os._exit(3)
_, status = os.waitpid(pid, 0)
print("child exit:", os.waitstatus_to_exitcode(status), file=sys.stderr)
