"""Lesson: two clerks deposit into one account. Each reads the balance, does some work (a
sleep), and writes the balance back: when the other clerk's deposit falls between the read
and the write, it is lost. A plain run is lucky most of the time; `threadlanes explore`
finds the schedule that loses one, and the assert at the end fails."""
import threading
import time

balance = 0


def deposit(amount, times):
    global balance
    for _ in range(times):
        seen = balance
        time.sleep(0.01)  # the clerk checks the slip
        balance = seen + amount


clerks = [threading.Thread(target=deposit, args=(n, 2), name="clerk-%d" % n) for n in (1, 10)]
for c in clerks:
    c.start()
for c in clerks:
    c.join()
print("balance", balance)
assert balance == 22, "lost an update: balance %d, not 22" % balance
