"""The program's sys.path is its own: the tracer's private directory is not on it."""
import sys

print("sys.path:", sys.path, file=sys.stderr)
