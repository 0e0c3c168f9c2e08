"""Lesson: a read-modify-write from two threads can lose updates; with a Lock it cannot."""
import threading

balance = 0
guard = threading.Lock()


def change(n, rounds):
    global balance
    for _ in range(rounds):
        with guard:
            balance = balance + n
            balance = balance - n


left = threading.Thread(target=change, args=(5, 200), name="left")
right = threading.Thread(target=change, args=(8, 200), name="right")
left.start()
right.start()
left.join()
right.join()
print("balance", balance)
