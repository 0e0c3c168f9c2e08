"""A program that closes every descriptor above 2 and makes a socket pair, which may get the
number the tracer's connection had: the tracer must not write into it. Only the program's
own bytes arrive."""
import os
import socket
import sys
import threading
import time

lock = threading.Lock()
with lock:
    pass
os.closerange(3, 256)
a, b = socket.socketpair()
for _ in range(1000):  # events the tracer would send
    with lock:
        pass
time.sleep(0.1)  # its flusher has run
a.sendall(b"hello")
time.sleep(0.05)
b.setblocking(False)
got = b""
try:
    while True:
        chunk = b.recv(65536)
        if not chunk:
            break
        got += chunk
except BlockingIOError:
    pass
print("received:", got, file=sys.stderr)
