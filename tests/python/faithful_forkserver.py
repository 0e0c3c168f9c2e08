"""The forkserver start method: a Process with a Queue, a Pool and a ProcessPoolExecutor
run as untraced (their children are forked by the forkserver, which has no lane of its
own; unpickling what the parent sent must work there, and the children are traced)."""
import concurrent.futures
import multiprocessing as mp
import sys


def work(q):
    q.put("from the child")


def square(x):
    return x * x


if __name__ == "__main__":
    mp.set_start_method("forkserver")
    q = mp.Queue()
    lock = mp.Lock()
    p = mp.Process(target=work, args=(q,))
    p.start()
    print(q.get(), file=sys.stderr)
    p.join()
    print("exit code", p.exitcode, file=sys.stderr)
    with lock:
        with mp.Pool(2) as pool:
            print("pool", pool.map(square, range(5)), file=sys.stderr)
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        print("executor", list(ex.map(square, range(5))), file=sys.stderr)
