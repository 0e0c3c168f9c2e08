"""Beyond the seeds: a Condition hands a value from one thread to another, and a Barrier
holds three threads until all have arrived."""
import threading

box = []
changed = threading.Condition()
gate = threading.Barrier(3)


def maker():
    with changed:
        box.append("parcel")
        changed.notify_all()


def runner(n):
    gate.wait()


with changed:
    threading.Thread(target=maker, name="maker").start()
    while not box:
        changed.wait()
print("got", box[0])

runners = [threading.Thread(target=runner, args=(n,), name=f"runner-{n}") for n in range(3)]
for r in runners:
    r.start()
for r in runners:
    r.join()
print("all through the barrier")

with changed:
    print("a wait nobody answers times out:", changed.wait(timeout=0.02))
