"""A program with its own excepthook whose main thread dies of an exception: traced, the
same output and exit status, and the main lane ends as panicked."""
import sys


def hook(kind, value, tb):
    print("my hook:", kind.__name__, value, file=sys.stderr)


sys.excepthook = hook
print("hook is mine:", sys.excepthook is hook, file=sys.stderr)
raise ValueError("the end")
