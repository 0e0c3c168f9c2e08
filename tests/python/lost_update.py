"""Lesson: a read-modify-write from two threads loses updates when a switch falls between
the read and the write. The sleeps are traced operations: in step mode each one is a point
where the user chooses who goes next."""
import threading
import time

balance = 0


def deposit(n):
    global balance
    for _ in range(2):
        time.sleep(0.001)  # a switch here is harmless
        seen = balance
        time.sleep(0.001)  # a switch here loses an update
        balance = seen + n


t1 = threading.Thread(target=deposit, args=(1,), name="t1")
t2 = threading.Thread(target=deposit, args=(10,), name="t2")
t1.start()
t2.start()
t1.join()
t2.join()
print("balance", balance, "(22 if no update was lost)")
