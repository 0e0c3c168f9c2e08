"""The traced program's exit status is threadlanes trace's: an uncaught exception in a
thread is a panic in its lane, and sys.exit(3) ends the run with status 3."""
import sys
import threading


def broken():
    raise RuntimeError("boom")


t = threading.Thread(target=broken, name="broken")
t.start()
t.join()
print("to stderr too", file=sys.stderr)
sys.exit(3)
