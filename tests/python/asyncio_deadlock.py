"""Two tasks take two asyncio locks in opposite order and deadlock; main waits for both
with wait_for and a timeout, which cancels them and frees the locks."""
import asyncio


async def left(a, b):
    async with a:
        await asyncio.sleep(0.05)
        async with b:
            pass


async def right(a, b):
    async with b:
        await asyncio.sleep(0.05)
        async with a:
            pass


async def main():
    first = asyncio.Lock()
    second = asyncio.Lock()
    both = asyncio.gather(left(first, second), right(first, second))
    try:
        await asyncio.wait_for(both, 0.5)
    except asyncio.TimeoutError:
        print("deadlocked: wait_for gave up")


asyncio.run(main())
