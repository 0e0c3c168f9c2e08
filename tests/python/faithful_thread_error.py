"""A thread that raises, a Thread subclass whose __init__ skips Thread's, and the excepthook
asked about: traced, the program prints exactly what it prints untraced (no frame of the
tracer in the traceback, Python's own RuntimeError, sys.excepthook untouched)."""
import sys
import threading
import traceback


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
