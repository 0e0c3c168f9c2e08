"""Lesson: a thread pool. map returns results in order; submit + as_completed in the order
they finish."""
import time
from concurrent.futures import ThreadPoolExecutor, as_completed


def nap(seconds):
    time.sleep(seconds)
    return seconds


with ThreadPoolExecutor(max_workers=2) as pool:
    print("map:", list(pool.map(nap, [0.03, 0.01, 0.02])))
    futures = [pool.submit(nap, s) for s in (0.03, 0.01)]
    print("as_completed:", [f.result() for f in as_completed(futures)])
    print("one result:", pool.submit(nap, 0.01).result())
