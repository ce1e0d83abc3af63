"""Run core work on a thread Python created itself.

QGIS runs background work (QgsTask, the Processing toolbox) on pooled Qt
threads. Python gives such a "foreign" thread a fresh thread state for each
call into Python. pyproj 3.7 keeps its per-thread PROJ context pointer in
OS-thread storage but frees the context with the thread state, so the second
run of pyproj code on a reused Qt thread uses a freed context and segfaults
(pyproj issues #1509, #1622; fixed upstream after 3.7.2). A thread started by
Python keeps one thread state for its whole life, so core calls made from a
foreign thread go through :func:`in_python_thread`.
"""
from __future__ import annotations

import threading


def on_foreign_thread() -> bool:
    """True on a thread Python did not start (a Qt worker thread)."""
    return isinstance(threading.current_thread(), threading._DummyThread)


def in_python_thread(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, on a fresh Python thread when called from a
    foreign thread (blocking until it returns; exceptions propagate)."""
    if not on_foreign_thread():
        return fn(*args, **kwargs)
    box = {}

    def target():
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised in the caller
            box["error"] = exc

    worker = threading.Thread(target=target, name="rs_embed_core", daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
