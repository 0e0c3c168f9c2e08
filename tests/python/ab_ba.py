"""Lesson: two threads take two locks in opposite order. A sleep keeps their windows apart,
so a plain run almost never deadlocks, but another timing would: threadlanes warns of the
possible deadlock from the order the locks were taken in."""
import threading
import time

a = threading.Lock()
b = threading.Lock()


def forward():
    with a:
        with b:
            print("forward has a and b")


def backward():
    time.sleep(0.2)  # the lucky timing: forward is long done
    with b:
        with a:
            print("backward has b and a")


t1 = threading.Thread(target=forward, name="t1")
t2 = threading.Thread(target=backward, name="t2")
t1.start()
t2.start()
t1.join()
t2.join()
print("done")
