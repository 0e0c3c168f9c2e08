"""subprocess with a preexec_fn forks a child that runs Python code and then execs: it is
the program it execs (a Python one reports for itself), not a process of its own."""
import subprocess
import sys

r = subprocess.run(
    [sys.executable, "-c", "import sys; print('child says hi', file=sys.stderr)"],
    preexec_fn=lambda: None,
)
print("child exit", r.returncode, file=sys.stderr)
