"""Coroutines on one thread: three tasks await their sleeps (they overlap), then take an
asyncio.Lock in turn, holding it across an await; main gathers their results in order."""
import asyncio
import time

lock = None


async def fetch(i, secs):
    await asyncio.sleep(secs)
    async with lock:
        await asyncio.sleep(0.05)
        print(f"fetch-{i} done")
    return i * 10


async def main():
    global lock
    lock = asyncio.Lock()
    started = time.monotonic()
    tasks = [asyncio.create_task(fetch(i, 0.3 - 0.1 * i), name=f"fetch-{i}") for i in range(3)]
    results = await asyncio.gather(*tasks)
    took = time.monotonic() - started
    print("results", results)
    print("overlapped" if took < 0.55 else f"took {took:.2f} s")


asyncio.run(main())
