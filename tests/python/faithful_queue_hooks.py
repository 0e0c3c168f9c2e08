"""Queue subclasses through the documented hooks (_init, _qsize, _put, _get): one keeps its
own list, one logs each item and hands it to Queue's own _put. Every item is seen going in
and coming out once."""
import queue
import sys
import threading


class Listed(queue.Queue):
    def _init(self, maxsize):
        self.items = []

    def _qsize(self):
        return len(self.items)

    def _put(self, item):
        self.items.append(item)

    def _get(self):
        return self.items.pop(0)


class Logged(queue.Queue):
    def _init(self, maxsize):
        super()._init(maxsize)
        self.log = []

    def _put(self, item):
        self.log.append(item)
        super()._put(item)


listed, logged = Listed(), Logged()


def produce():
    for i in range(5):
        listed.put(i)
        logged.put(i)


t = threading.Thread(target=produce)
t.start()
t.join()
print("listed", [listed.get() for _ in range(5)], file=sys.stderr)
print("logged", [logged.get() for _ in range(5)], logged.log, file=sys.stderr)
