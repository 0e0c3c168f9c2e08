"""Lesson: two clerks deposit into one account: each reads the balance, notes the deposit in
the audit log (under its lock), and writes the balance back. Alice comes at 10 ms and Bob
at 50 ms, so a plain run never overlaps them and always ends well; but a clerk slower by
40 ms makes one deposit overwrite the other. `threadlanes explore` finds that schedule."""
import threading
import time

balance = 0
audit = []
audit_lock = threading.Lock()


def deposit(amount, arrives):
    global balance
    time.sleep(arrives)  # the clerk walks to the counter
    seen = balance
    with audit_lock:  # noted in the audit log between the read and the write
        audit.append((amount, seen))
    balance = seen + amount


clerks = [
    threading.Thread(target=deposit, args=(100, 0.01), name="alice"),
    threading.Thread(target=deposit, args=(50, 0.05), name="bob"),
]
for c in clerks:
    c.start()
for c in clerks:
    c.join()
print("balance", balance)
assert balance == 150, "lost an update: balance %d, not 150" % balance
