"""Sends threadlanes two lines that are not events, on the trace's own socket; the rest of
the stream must still arrive."""
import os
import socket
import threading

lock = threading.Lock()
with lock:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(os.environ["THREADLANES_SOCKET"])
s.sendall(b'this is not json\n{"t":1,"pid":1,"w":0,"op":"fly"}\n')
s.close()
print("still here")
