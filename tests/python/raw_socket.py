"""Writes to threadlanes' socket by hand, as a broken or hostile program might.
  flood N      N event lines as fast as the socket takes them
  long MIB     MIB MiB without a newline, then a valid line
"""
import os
import socket
import sys

mode, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
# The socket's name is in the process's environment, though not in os.environ (the tracer
# keeps its variables out of the program's view).
with open("/proc/self/environ", "rb") as f:
    env = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)
s.connect(env[b"THREADLANES_SOCKET"].decode())
pid = os.getpid()
if mode == "flood":
    line = b'{"t":1,"pid":%d,"w":0,"op":"sleep_end"}\n' % pid
    batch = line * 10000
    for _ in range(n // 10000):
        s.sendall(batch)
else:
    chunk = b"x" * (1 << 20)
    for _ in range(n):
        s.sendall(chunk)
    s.sendall(b'\n{"t":1,"pid":%d,"w":0,"op":"say","text":"after the long line"}\n' % pid)
s.close()
