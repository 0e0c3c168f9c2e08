"""The traced program's exit status is threadlanes trace's: an uncaught exception in a
thread is a panic in its lane, and the program ends with status 3 by a SystemExit raised by
hand (no sys.exit: by then nothing in the program says so, and its lane ends from the status
threadlanes reads). Its children end with theirs, each said in its own lane: a forked child
by sys.exit(4), another by os._exit(5), a Python started by subprocess by sys.exit(6). A
thread's sys.exit(7) ends only its thread, quietly."""
import os
import subprocess
import sys
import threading

for how in ("sys.exit(4)", "os._exit(5)"):
    pid = os.fork()
    if pid == 0:
        eval(how)
    _, status = os.waitpid(pid, 0)
    print(how, "->", os.waitstatus_to_exitcode(status), file=sys.stderr)
child = subprocess.run([sys.executable, "-c", "import sys; sys.exit(6)"])
print("subprocess ->", child.returncode, file=sys.stderr)
# sys.exit in a thread ends only the thread; os._exit given what it does not take raises
# and the program goes on (still traced).
quiet = threading.Thread(target=sys.exit, args=(7,), name="quiet")
quiet.start()
quiet.join()
try:
    os._exit("5")
except TypeError:
    print("os._exit refused a str", file=sys.stderr)


def broken():
    raise RuntimeError("boom")


t = threading.Thread(target=broken, name="broken")
t.start()
t.join()
print("to stderr too", file=sys.stderr)
raise SystemExit(3)
