"""Four threads take and give back one lock as fast as they can, then the program writes
its name into the file given (the test knows from it that the program has ended, while it
has read nothing of threadlanes' output yet).
  hammer.py ROUNDS DONE_FILE
"""
import sys
import threading

rounds, done_file = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()


def hammer():
    for _ in range(rounds):
        lock.acquire()
        lock.release()


workers = [threading.Thread(target=hammer) for _ in range(4)]
for w in workers:
    w.start()
for w in workers:
    w.join()
with open(done_file, "w") as f:
    f.write("done\n")
