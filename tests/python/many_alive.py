"""More processes alive at once than threadlanes may hold connections for (run it under a
lowered soft `ulimit -n`): each forked child waits until its connection is made, then all
are let go together. The program must end, every process untraced or not."""
import os
import resource
import sys
import time

import _threadlanes_shim as shim

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # ours, not threadlanes'
n = int(sys.argv[1])
ready_r, ready_w = os.pipe()
go_r, go_w = os.pipe()
kids = []
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        os.close(go_w)
        while shim._sock is None and not shim._closed:
            time.sleep(0.005)
        os.write(ready_w, b".")
        os.read(go_r, 1)  # EOF once the parent lets go
        os._exit(0)
    kids.append(pid)
got = 0
while got < n:
    got += len(os.read(ready_r, n))
os.close(go_w)
for pid in kids:
    os.waitpid(pid, 0)
print("all", n, "ended", flush=True)
