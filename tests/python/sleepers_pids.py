"""Starts three processes that sleep a long time, writes every pid (its own first) one a line
to the file named by its first argument, then sleeps too. Used to check that a hang-up or a
suspension leaves no process of the program behind."""
import multiprocessing as mp
import os
import sys
import time


def nap():
    time.sleep(120)


if __name__ == "__main__":
    children = [mp.Process(target=nap, name=f"sleeper-{n}") for n in range(3)]
    for c in children:
        c.start()
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("\n".join(str(p) for p in [os.getpid()] + [c.pid for c in children]) + "\n")
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    time.sleep(120)
