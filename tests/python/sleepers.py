"""Three processes that sleep a long time, and a main that waits for them: a program that
would run on for minutes. Used to check that stopping it, or killing threadlanes under it,
leaves none of its processes behind."""
import multiprocessing as mp
import time


def nap():
    time.sleep(120)


if __name__ == "__main__":
    kids = [mp.Process(target=nap, name=f"sleeper-{i}") for i in range(3)]
    for k in kids:
        k.start()
    print("all started", flush=True)
    for k in kids:
        k.join()
