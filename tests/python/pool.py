"""Lesson: a pool of worker processes: map hands out the items, apply_async one call with a
callback."""
import multiprocessing as mp
import time


def square(x):
    time.sleep(0.05)  # long enough that map's caller is seen waiting for the results
    return x * x


if __name__ == "__main__":
    results = []
    with mp.Pool(2) as pool:
        print("map:", pool.map(square, [1, 2, 3, 4]))
        pool.apply_async(square, (5,), callback=results.append).wait()
        print("starmap:", pool.starmap(pow, [(2, 3), (3, 2)]))
    print("callback got:", results)
