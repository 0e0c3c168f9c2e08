"""Shared memory: one block of bytes that several processes map by its name. The parent
creates it and writes a counter into its first byte; each child maps the same block by
name (one forked child inherits the mapping instead) and adds to the counter under a
lock shared by all; the parent reads the total the children left, then unmaps the block
and removes its name. No byte passes through a pipe or a queue: the writes land in the
same memory."""
import multiprocessing as mp
import sys
from multiprocessing import shared_memory


def add(name, lock, times):
    shm = shared_memory.SharedMemory(name=name)
    for _ in range(times):
        with lock:
            shm.buf[0] += 1
    shm.close()


def add_inherited(shm, lock, times):
    for _ in range(times):
        with lock:
            shm.buf[0] += 1


if __name__ == "__main__":
    ctx = mp.get_context("fork")
    block = shared_memory.SharedMemory(create=True, size=16)
    block.buf[0] = 0
    lock = ctx.Lock()
    kids = [ctx.Process(target=add, args=(block.name, lock, 5), name="adder-%d" % i)
            for i in (1, 2)]
    kids.append(ctx.Process(target=add_inherited, args=(block, lock, 5), name="forked"))
    for k in kids:
        k.start()
    for k in kids:
        k.join()
    print("total", block.buf[0], "size", block.size >= 16, file=sys.stderr)
    block.close()
    block.unlink()
    print("unlinked", file=sys.stderr)
