"""Lesson: a threaded program that asks for a name. Under `threadlanes explore` each run's
stdin is /dev/null (several runs go at once: none may read the terminal), so input() meets
the end of its input at once."""
import threading


def worker():
    pass


t = threading.Thread(target=worker, name="t1")
t.start()
t.join()
name = input("your name? ")
print("hello", name)
