"""Lesson: a consumer waits on a condition without checking first whether its item is
already there. If the producer puts the item and notifies before the consumer waits, the
notify is lost and the consumer waits for ever. A plain run starts the consumer first and
is lucky; `threadlanes explore` finds the schedule where it is not."""
import threading

items = []
guard = threading.Lock()
ready = threading.Condition(guard)


def consumer():
    with ready:
        ready.wait()  # the bug: `while not items: ready.wait()` checks first
        item = items.pop(0)
    print("consumer got", item)


def producer():
    with ready:
        items.append("job")
        ready.notify()


c = threading.Thread(target=consumer, name="consumer")
p = threading.Thread(target=producer, name="producer")
c.start()
p.start()
c.join()
p.join()
print("done")
