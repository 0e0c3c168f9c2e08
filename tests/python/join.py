"""Lesson: join. The main thread waits for its worker before it says it is done."""
import threading
import time


def task():
    time.sleep(0.05)
    print("worker finished")


worker = threading.Thread(target=task, name="worker")
worker.start()
worker.join()
print("all done")
