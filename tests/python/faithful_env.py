"""The program's environment is its own: no THREADLANES_* variable and no directory of the
tracer's in PYTHONPATH, in its os.environ, in os.getenv, and in what it starts. A program
that is not Python (here `env`) sees exactly the environment it sees untraced, however it is
started: subprocess (fork_exec and posix_spawn), os.system, os.popen, os.execv, os.execve,
os.posix_spawn. Python children — with the environment as it is, a copy of it changed, one
of their own, through os.execve, os.system, and a shell — are traced all the same (the test
counts their lanes); one started with -I, which no shim can enter, sees nothing of ours."""
import hashlib
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
ENV = "/usr/bin/env"


def child(tag, env=None):
    subprocess.run([sys.executable, "-c", VIEW, tag], env=env, check=True)


def seen(tag, text):
    """What a child printed as its environment: a digest of all of it (the same traced and
    untraced), and the lines that would be the tracer's, were any left."""
    lines = sorted(text.decode().splitlines())
    ours = [l for l in lines if l.startswith(("THREADLANES", "PYTHONPATH", "PYTHONUNBUF"))]
    digest = hashlib.sha1("\n".join(lines).encode()).hexdigest()[:12]
    print(tag, digest, ours, file=sys.stderr)


def through_fd(tag, start):
    """Runs `start(fd)`, which starts `env` with its stdout on fd, and reads what it wrote."""
    r, w = os.pipe()
    pid = start(w)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        text = f.read()
    os.waitpid(pid, 0)
    seen(tag, text)


def forked_exec(w, exec_it):
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        exec_it()
    return pid


def not_python():
    seen("subprocess", subprocess.run([ENV], stdout=subprocess.PIPE, check=True).stdout)
    # close_fds=False with a full path: subprocess takes os.posix_spawn instead of fork_exec
    seen("posix_spawn path", subprocess.run([ENV], stdout=subprocess.PIPE, close_fds=False,
                                            check=True).stdout)
    seen("shell", subprocess.run("env", shell=True, stdout=subprocess.PIPE).stdout)
    with os.popen("env") as p:
        seen("popen", p.read().encode())
    through_fd("system", lambda w: forked_exec(w, lambda: os._exit(os.system("env") >> 8)))
    through_fd("execv", lambda w: forked_exec(w, lambda: os.execv(ENV, [ENV])))
    through_fd("execvp", lambda w: forked_exec(w, lambda: os.execvp("env", ["env"])))
    through_fd("execve", lambda w: forked_exec(w, lambda: os.execve(ENV, [ENV], os.environ)))
    through_fd("os.posix_spawn", lambda w: os.posix_spawn(
        ENV, [ENV], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, w, 1)]))
    # Not a launcher: a ".py" or "python" among its arguments does not make it Python.
    names = ["THREADLANES_SOCKET", "PYTHONPATH", "notes.py", "python3"]
    out = subprocess.run(["printenv"] + names, stdout=subprocess.PIPE).stdout
    print("printenv", out.decode().split(), file=sys.stderr)
    iso = "import os; print(sorted(k for k in os.environ if 'THREADLANES' in k or 'PYTHONP' in k))"
    out = subprocess.run([sys.executable, "-I", "-c", iso], stdout=subprocess.PIPE).stdout
    print("python -I", out.decode().strip(), file=sys.stderr)


def refused(what, call):
    """What a call the exec functions refuse raises: its type, its words and how many
    frames its traceback has (the same traced: no frame or check of the tracer's)."""
    import traceback

    try:
        call()
        print(what, "ran", file=sys.stderr)
    except Exception as e:
        frames = len(traceback.extract_tb(e.__traceback__))
        print(what, type(e).__name__, e, frames, file=sys.stderr)


def bad_calls():
    py, argv = sys.executable, [sys.executable, "-c", "pass"]
    refused("execve env None", lambda: os.execve(py, argv, None))
    refused("execve env list", lambda: os.execve(py, argv, [("A", "1")]))
    refused("posix_spawn env by name", lambda: os.posix_spawn(py, argv, env=os.environ))
    refused("execv by name", lambda: os.execv(path=py, argv=argv))
    refused("execv empty argv[0]", lambda: os.execv(py, [""]))
    refused("execv no file", lambda: os.execv("/nonexistent/python3", ["python3"]))
    refused("execvp no file", lambda: os.execvp("python3.99", ["python3.99"]))
    refused("execv bad argv", lambda: os.execv(py, [py, 5]))
    refused("system int", lambda: os.system(5))
    refused("system None", lambda: os.system(None))


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
    quoted = "%s -c '%s' %s"
    sys.stderr.flush()
    os.system(quoted % (sys.executable, VIEW, "os.system"))
    subprocess.run(quoted % (sys.executable, VIEW, "'through a shell'"), shell=True, check=True)
    not_python()
    bad_calls()
    # A PathLike command, and an fexecve (a descriptor, not a path): as untraced.
    import pathlib

    print("system path", os.system(pathlib.Path("/bin/true")), file=sys.stderr)
    pid = os.fork()
    if pid == 0:
        fd = os.open("/bin/true", os.O_RDONLY)
        os.execve(fd, ["true"], dict(os.environ))
    print("fexecve", os.waitpid(pid, 0)[1], file=sys.stderr)
