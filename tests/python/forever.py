"""Runs until it is stopped: a child process and a thread that both sleep a long time, and an
input() that, under the TUI, explains itself instead of waiting. Used to check that quitting
ends the program and every process it started."""
import multiprocessing as mp
import threading
import time


def nap():
    time.sleep(60)


if __name__ == "__main__":
    child = mp.Process(target=nap, name="sleeper")
    child.start()
    threading.Thread(target=nap, name="napper", daemon=True).start()
    try:
        input("your name? ")
    except EOFError:
        print("no keyboard here")
    time.sleep(60)
