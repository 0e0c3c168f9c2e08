# threadlanes: loads the tracing shim into every Python process of a traced program, then
# runs the sitecustomize that would have run without us (if there is one), so the user's own
# start-up code still runs. Written by `threadlanes trace` into a private temporary directory
# that is put first on PYTHONPATH; nothing of the user's is touched.
import os as _os
import sys as _sys


def _threadlanes_load():
    if _os.environ.get("THREADLANES_SOCKET"):
        try:
            import _threadlanes_shim

            _threadlanes_shim.install()
        except Exception as e:  # the program must run even if tracing cannot
            _sys.stderr.write("threadlanes: the tracing shim did not load: %r\n" % (e,))


def _threadlanes_chain():
    here = _os.path.dirname(_os.path.abspath(__file__))
    import importlib.machinery
    import importlib.util

    rest = [p for p in _sys.path if _os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    _sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


def _threadlanes_unlist():
    # Loaded: the private directory leaves sys.path, which is then the program's own (a child
    # process still finds it through PYTHONPATH).
    here = _os.path.dirname(_os.path.abspath(__file__))
    _sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or ".") != here]


_threadlanes_load()
_threadlanes_chain()
_threadlanes_unlist()
