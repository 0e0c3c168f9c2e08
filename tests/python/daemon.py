"""Lesson: daemon threads die with the main thread; ordinary threads are waited for."""
import threading
import time


def forever():
    while True:
        time.sleep(0.02)


def short():
    time.sleep(0.03)
    print("ordinary thread done")


background = threading.Thread(target=forever, name="background", daemon=True)
ordinary = threading.Thread(target=short, name="ordinary")
background.start()
ordinary.start()
print("main returns")
