"""Starts a Python process it does not wait for, and ends: untraced, that process runs on
and does its work (it writes the file named in argv[1] a moment later)."""
import subprocess
import sys

child = "import sys, time; time.sleep(2); open(sys.argv[1], 'w').write('done')"
subprocess.Popen([sys.executable, "-c", child, sys.argv[1]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("left it running", file=sys.stderr)
