"""Lesson: an RLock may be taken again by the thread that holds it; a Condition built on it
gives the whole depth up while it waits and takes it back after."""
import threading

account = threading.RLock()
ready = threading.Condition(account)
state = {"paid": False}


def pay():
    with account:
        with account:  # taken again by its owner: depth 2
            state["paid"] = True
            ready.notify()


with account:
    with account:
        payer = threading.Thread(target=pay, name="payer")
        payer.start()
        ready.wait_for(lambda: state["paid"], timeout=5)
        print("paid", state["paid"])
payer.join()
