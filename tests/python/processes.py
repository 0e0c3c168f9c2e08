"""Lesson: real child processes, each with its own pid and its parent's; a Queue carries
their answers back, and a Manager shares a dict, a Lock and a Value with all of them."""
import multiprocessing as mp
import os


def report(n, answers, seen, guard, visits):
    seen[n] = os.getppid()
    with guard:
        visits.value = visits.value + 1
    answers.put((n, os.getpid() != os.getppid()))


if __name__ == "__main__":
    answers = mp.Queue()
    with mp.Manager() as manager:
        seen = manager.dict()
        guard = manager.Lock()
        visits = manager.Value("i", 0)
        children = [
            mp.Process(target=report, args=(n, answers, seen, guard, visits), name=f"child-{n}")
            for n in range(2)
        ]
        for c in children:
            c.start()
        got = sorted(answers.get() for _ in children)
        for c in children:
            c.join()
        print("answers:", got)
        print("parents are us:", all(p == os.getpid() for p in seen.values()))
        print("visits:", visits.value)
