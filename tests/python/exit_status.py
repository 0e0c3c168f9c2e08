"""The traced program's exit status is threadlanes trace's: an uncaught exception in a
thread is a panic in its lane, and the program ends with status 3 by a SystemExit raised by
hand (no sys.exit: by then nothing in the program says so, and its lane ends from the status
threadlanes reads). Its children end with theirs, each said in its own lane: a forked child
by sys.exit(4), another by os._exit(5), a Python started by subprocess by sys.exit(6), and
children whose status only the C library's exit sees: a forked child raising SystemExit(8)
by hand, a subprocess calling the builtin exit(10), one whose sys.exit(1) is caught and
replaced by a hand-raised SystemExit(11), and one that sys.exit(0)s its way out of a
raised SystemExit(12) it caught. A thread's sys.exit(7) ends only its thread, quietly."""
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
pid = os.fork()
if pid == 0:
    raise SystemExit(8)
print("raise SystemExit(8) ->", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), file=sys.stderr)
for code in (
    "exit(10)",
    "import sys\ntry:\n    sys.exit(1)\nexcept SystemExit:\n    raise SystemExit(11)",
    "import sys\ntry:\n    raise SystemExit(12)\nexcept SystemExit:\n    sys.exit(0)",
):
    child = subprocess.run([sys.executable, "-c", code])
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
