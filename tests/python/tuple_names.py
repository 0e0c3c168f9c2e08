"""Objects made two to a line are named for their own targets: `l1, l2 = Lock(), Lock()`
names l1 and l2, in asyncio and threading alike, each time the line runs."""
import asyncio
import threading


async def main():
    l1, l2 = asyncio.Lock(), asyncio.Lock()
    async with l1:
        async with l2:
            print("both held", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
    for _ in range(2):
        a, b = threading.Lock(), threading.Lock()
        with a, b:
            pass
    print("done", flush=True)
