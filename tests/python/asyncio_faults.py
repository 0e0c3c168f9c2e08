"""asyncio's objects and a task's ends: producer and consumer tasks meet at an asyncio.Queue
of two places, a gate Event lets them go, a Semaphore(2) admits two workers at a time; one
task raises (its exception retrieved by gather), one is cancelled while it sleeps."""
import asyncio


async def producer(q, gate):
    await gate.wait()
    for i in range(5):
        await q.put(f"item-{i}")
    await q.put(None)


async def consumer(q, got):
    while (item := await q.get()) is not None:
        got.append(item)
        await asyncio.sleep(0.02)


async def worker(i, slots):
    async with slots:
        await asyncio.sleep(0.05)
    return i


async def fails():
    await asyncio.sleep(0.01)
    raise ValueError("boom")


async def main():
    q = asyncio.Queue(2)
    gate = asyncio.Event()
    slots = asyncio.Semaphore(2)
    got = []
    p = asyncio.create_task(producer(q, gate), name="producer")
    c = asyncio.create_task(consumer(q, got), name="consumer")
    ws = [asyncio.create_task(worker(i, slots), name=f"worker-{i}") for i in range(4)]
    sleeper = asyncio.create_task(asyncio.sleep(10), name="sleeper")
    doomed = asyncio.create_task(fails(), name="doomed")
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(p, c)
    print("got", got)
    print("workers", await asyncio.gather(*ws))
    results = await asyncio.gather(doomed, return_exceptions=True)
    print("doomed:", repr(results[0]))
    # A task that fails and is never awaited: asyncio's own warning, as without tracing.
    asyncio.create_task(fails(), name="unretrieved")
    await asyncio.sleep(0.05)
    sleeper.cancel()
    try:
        await sleeper
    except asyncio.CancelledError:
        print("sleeper cancelled")


asyncio.run(main())
