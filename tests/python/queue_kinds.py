"""Lesson: FIFO, LIFO and priority queues hand the same items out in different orders."""
import queue

fifo = queue.Queue()
lifo = queue.LifoQueue()
by_priority = queue.PriorityQueue(maxsize=5)

for item in ["a", "b", "c"]:
    fifo.put(item)
    lifo.put(item)
for entry in [(3, "low"), (1, "urgent"), (2, "normal")]:
    by_priority.put(entry)

print("fifo:", [fifo.get() for _ in range(3)])
print("lifo:", [lifo.get() for _ in range(3)])
print("priority:", [by_priority.get()[1] for _ in range(3)])
try:
    fifo.get(block=False)
except queue.Empty:
    print("an empty queue says so")
