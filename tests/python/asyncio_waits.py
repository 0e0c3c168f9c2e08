"""asyncio's waits: a Condition between a producer and two consumers; gather, a TaskGroup
and a plain `await task` (the caller waits for its children); wait_for that times out and
one that does not; asyncio.timeout; run_in_executor (the work on the executor's thread, the
task waiting for it); a task never awaited; a coroutine never awaited (Python's own
warning); and a loop closed with a task still pending. Last, what the program sees of the
functions the tracer wraps (names, signatures, docs), compared with the untraced run."""
import asyncio
import inspect
import time

items = []


async def consumer(cond, i):
    async with cond:
        await cond.wait_for(lambda: items)
        got = items.pop(0)
    print(f"consumer-{i} got {got}")


async def producer(cond):
    for n in range(2):
        await asyncio.sleep(0.02)
        async with cond:
            items.append(n)
            cond.notify()


async def slow(secs):
    await asyncio.sleep(secs)
    return secs


def blocking_work(n):
    time.sleep(0.05)
    return n * n


async def forgotten():
    await asyncio.sleep(0.01)
    print("forgotten task ran anyway")


async def main():
    cond = asyncio.Condition()
    await asyncio.gather(consumer(cond, 0), consumer(cond, 1), producer(cond))
    print("gathered", await asyncio.gather(slow(0.03), slow(0.01)))
    async with asyncio.TaskGroup() as tg:
        for i in range(2):
            tg.create_task(slow(0.01 * (i + 1)), name=f"grouped-{i}")
    print("group done")
    direct = asyncio.create_task(slow(0.02), name="direct")
    print("awaited directly:", await direct)
    try:
        await asyncio.wait_for(slow(1), 0.05)
    except asyncio.TimeoutError:
        print("wait_for timed out")
    print("wait_for in time:", await asyncio.wait_for(slow(0.01), 1))
    try:
        async with asyncio.timeout(0.05):
            await asyncio.sleep(1)
    except TimeoutError:
        print("timeout expired")
    loop = asyncio.get_running_loop()
    print("executor:", await loop.run_in_executor(None, blocking_work, 7))
    asyncio.create_task(forgotten(), name="forgotten")
    slow(0)  # a coroutine never awaited: Python warns, as without tracing
    await asyncio.sleep(0.03)


asyncio.run(main())

# A loop closed with a task still pending: the task never finishes.
loop = asyncio.new_event_loop()
stuck = loop.create_task(slow(10), name="stuck")
loop.run_until_complete(asyncio.sleep(0.01))
loop.close()
print("loop closed, stuck pending:", not stuck.done())

# What the program sees of the functions the tracer wraps is what it sees untraced.
for f in (asyncio.sleep, asyncio.wait_for, asyncio.Condition.wait, asyncio.TaskGroup.__aexit__,
          asyncio.get_event_loop_policy().new_event_loop().run_in_executor):
    print("sees", f.__module__, f.__qualname__, inspect.signature(f), (f.__doc__ or "").split("\n")[0])
