"""Lesson: a parent and a child talk over a Pipe: one message each way."""
import multiprocessing as mp


def child(end):
    question = end.recv()
    end.send(question.upper())
    end.close()


if __name__ == "__main__":
    parent_end, child_end = mp.Pipe()
    kid = mp.Process(target=child, args=(child_end,), name="kid")
    kid.start()
    parent_end.send("hello")
    print("reply:", parent_end.recv())
    kid.join()
