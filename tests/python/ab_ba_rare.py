"""Lesson: two threads take two locks in opposite order, with nothing in between. t1 is
usually done before t2 starts, so a plain run almost never deadlocks; another schedule does
(`threadlanes explore` finds it), and the lock order warns of it even on a lucky run."""
import threading

a = threading.Lock()
b = threading.Lock()


def forward():
    with a:
        with b:
            pass


def backward():
    with b:
        with a:
            pass


t1 = threading.Thread(target=forward, name="t1")
t2 = threading.Thread(target=backward, name="t2")
t1.start()
t2.start()
t1.join()
t2.join()
print("done")
