"""Lesson: an Array in shared memory, one cell per process, and a float Value: each process
writes its own cell under the array's lock, the parent reads them all. Shown as value
objects: the array's cells with the one written last, the float as Python prints it."""
import multiprocessing as mp


def fill(cells, progress, k):
    cells[k] = (k + 1) * 10
    with progress.get_lock():
        progress.value += 0.25


if __name__ == "__main__":
    cells = mp.Array("i", 4)
    progress = mp.Value("d", 0.0)
    seeds = mp.Array("q", [7, 0, 9])
    workers = [mp.Process(target=fill, args=(cells, progress, k), name=f"filler-{k}") for k in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print("cells:", cells[:], "progress:", progress.value)
    seeds[-1] = -1
    print("seeds:", list(seeds), "last:", seeds[2])
    try:
        cells[4] = 1
    except IndexError as e:
        print("IndexError:", e)
    try:
        cells[0] = "x"
    except TypeError as e:
        print("TypeError:", e)
