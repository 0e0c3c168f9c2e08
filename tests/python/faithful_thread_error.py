"""A thread that raises, a Thread subclass whose __init__ skips Thread's, the excepthook
asked about, and a finished Thread let go: traced, the program prints exactly what it prints
untraced (no frame of the tracer in the traceback, Python's own RuntimeError,
sys.excepthook untouched, the Thread freed by its last reference, not by the collector)."""
import gc
import sys
import threading
import traceback
import weakref


def fails():
    raise ValueError("boom")


t = threading.Thread(target=fails, name="failing")
t.start()
t.join()

frames = []
threading.excepthook = lambda args: frames.append(len(traceback.extract_tb(args.exc_traceback)))
t = threading.Thread(target=fails, name="counted")
t.start()
t.join()
print("frames in the thread's traceback:", frames, file=sys.stderr)


class Uninitialised(threading.Thread):
    def __init__(self):
        pass


try:
    Uninitialised().start()
except RuntimeError as e:
    print("RuntimeError:", e, file=sys.stderr)

print("excepthook is Python's:", sys.excepthook is sys.__excepthook__, file=sys.stderr)

gc.disable()
t = threading.Thread(target=lambda: None)
t.start()
t.join()
ref = weakref.ref(t)
del t
print("a finished Thread is freed without the collector:", ref() is None, file=sys.stderr)
