"""Shared memory: one block of bytes that several processes map by its name. The parent
creates it and writes a counter into its first byte; each child maps the same block by
name (one forked child inherits the mapping instead, and a spawned one is handed the block
itself) and adds to the counter under a lock; the parent reads the total the children
left, then unmaps the block and removes its name. No byte passes through a pipe or a
queue: the writes land in the same memory. A name removed can be used again: the block
made under it then is another block."""
import multiprocessing as mp
import os
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


def add_passed(shm, lock, times):
    add_inherited(shm, lock, times)
    shm.close()


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
    spawn = mp.get_context("spawn")
    slock = spawn.Lock()  # kept: the child opens it after start() returns
    kid = spawn.Process(target=add_passed, args=(block, slock, 5), name="spawned")
    kid.start()
    kid.join()
    print("total", block.buf[0], "size", block.size >= 16, file=sys.stderr)
    block.close()
    block.unlink()
    print("unlinked", file=sys.stderr)
    name = "tl_reuse_%d" % os.getpid()
    for size in (16, 4096):
        again = shared_memory.SharedMemory(name=name, create=True, size=size)
        again.close()
        again.unlink()
    print("reused", file=sys.stderr)
