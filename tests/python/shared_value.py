"""Lesson: a Value in shared memory, changed by several processes under a process Lock:
no update is lost."""
import multiprocessing as mp


def add(counter, lock, times):
    for _ in range(times):
        with lock:
            counter.value = counter.value + 1


if __name__ == "__main__":
    counter = mp.Value("i", 0)
    lock = mp.Lock()
    workers = [mp.Process(target=add, args=(counter, lock, 20), name=f"adder-{n}") for n in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print("counter:", counter.value)
