"""What the tracer replaces still pickles as the original (spawn sends functions by name):
the lock factories, time.sleep, print, Pipe and Value, and a Manager's registry."""
import multiprocessing as mp
import multiprocessing.connection as connection
import multiprocessing.sharedctypes as sharedctypes
import pickle
import threading
import time


if __name__ == "__main__":
    for f in (threading.Lock, threading.RLock, time.sleep, print, input, connection.Pipe, sharedctypes.Value):
        assert pickle.loads(pickle.dumps(f)) is f, f
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        pool.map(print, ["printed by a spawned pool worker"])
    with ctx.Manager() as manager:
        box = manager.Value("i", 7)
        print("manager value", box.value)
    print("pickles fine")
