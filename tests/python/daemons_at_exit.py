"""Daemon threads hammer a lock while the program ends: each dies with it, said killed, and
nothing it did is said after that (its last records raced the end's lines once)."""
import threading
import time

lock = threading.Lock()


def hammer():
    while True:
        with lock:
            pass


for i in range(3):
    threading.Thread(target=hammer, daemon=True, name="d%d" % i).start()
time.sleep(0.05)
print("main ends")
