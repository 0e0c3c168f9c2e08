"""A blocking call inside a coroutine: fetch-1 calls time.sleep, not await asyncio.sleep, so
it keeps the loop's thread and the other fetches, whose sleeps are over, cannot go on until
it ends. The log says the thread's sleep blocks the loop, in the task that made it."""
import asyncio
import time


async def fetch(i):
    if i == 1:
        time.sleep(0.3)  # the bug: the whole loop stops here
    else:
        await asyncio.sleep(0.1)
    return i


async def main():
    print(await asyncio.gather(*(asyncio.create_task(fetch(i), name="fetch-%d" % i)
                                 for i in range(3))))


asyncio.run(main())
