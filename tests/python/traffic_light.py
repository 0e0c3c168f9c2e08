"""Lesson: an Event as a traffic light. Cars wait while it is red and go when it turns green."""
import threading
import time

light = threading.Event()


def car(n):
    if not light.is_set():
        print(f"car-{n} waits at red")
    light.wait()
    print(f"car-{n} drives")


cars = [threading.Thread(target=car, args=(n,), name=f"car-{n}") for n in range(3)]
for c in cars:
    c.start()
time.sleep(0.05)
light.set()
for c in cars:
    c.join()
light.clear()
print("red again; a wait with a timeout gives up:", light.wait(0.02))
