"""The program's environment is its own: no THREADLANES_* variable and no directory of the
tracer's in PYTHONPATH, in its os.environ, in os.getenv, and in the Python children it
starts — with the environment as it is, with a copy of it changed, with one of its own, and
through os.execve — which are traced all the same (the test counts their lanes)."""
import os
import subprocess
import sys

VIEW = """
import os, sys, threading
lock = threading.Lock()
with lock:
    ours = sorted(k for k in os.environ if k.startswith("THREADLANES"))
print(sys.argv[1], ours, os.environ.get("PYTHONPATH"), os.getenv("THREADLANES_SOCKET"),
      file=sys.stderr)
"""


def child(tag, env=None):
    subprocess.run([sys.executable, "-c", VIEW, tag], env=env, check=True)


if __name__ == "__main__":
    print("main", sorted(k for k in os.environ if k.startswith("THREADLANES")),
          os.environ.get("PYTHONPATH"), file=sys.stderr)
    child("as it is")
    copy = os.environ.copy()
    copy["EXTRA"] = "1"
    child("a copy", copy)
    child("its own", {"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    pid = os.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-c", VIEW, "execve"], dict(os.environ))
    os.waitpid(pid, 0)
