"""Chunks on Dask (dask.distributed): a LocalCluster of worker processes on
this machine by default (setting RS_EMBED_DASK_WORKERS, default 2), or the
cluster at the setting "Dask scheduler" (RS_EMBED_DASK_SCHEDULER, e.g.
``tcp://host:8786``: dask-jobqueue, Kubernetes, any scheduler address).

Chunks come back to the client, which writes them, so workers need no shared
disk. A model is loaded once per Dask worker process (``jobs.common.
warm_embedder``) and reused by every chunk that worker runs. Cancel cancels
the futures; a worker that dies has its chunks rerun elsewhere by the
scheduler.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from .errors import CancelledError

_clients = {}
_lock = threading.Lock()


def scheduler_address() -> str:
    return (os.environ.get("RS_EMBED_DASK_SCHEDULER") or "").strip()


def local_workers() -> int:
    try:
        return max(1, int(os.environ.get("RS_EMBED_DASK_WORKERS") or 2))
    except ValueError:
        return 2


def client_for(address: str = None, n_workers: int = None):
    """A Client on ``address``, or on a LocalCluster kept for this process."""
    from distributed import Client, LocalCluster

    address = address if address is not None else scheduler_address()
    key = address or f"local:{n_workers or local_workers()}"
    with _lock:
        c = _clients.get(key)
        if c is not None and c.status == "running":
            return c
        if address:
            c = Client(address, timeout="20s", set_as_default=False)
        else:
            cluster = LocalCluster(n_workers=n_workers or local_workers(), threads_per_worker=1,
                                   processes=True, dashboard_address=None, silence_logs=40)
            c = Client(cluster, set_as_default=False)
        _clients[key] = c
        return c


def close_all():
    with _lock:
        for c in _clients.values():
            cluster = getattr(c, "cluster", None)
            c.close()
            if cluster is not None:
                cluster.close()
        _clients.clear()


@dataclass
class DaskEngine:
    address: str = None
    n_workers: int = None

    @property
    def name(self):
        return f"Dask at {self.address}" if self.address else f"Dask LocalCluster ({self.n_workers or local_workers()} workers)"

    def map(self, compute, windows, progress):
        if not windows:
            return
        client = client_for(self.address, self.n_workers)
        futures = [client.submit(compute, w, pure=False, retries=1) for w in windows]
        pending = list(futures)
        try:
            while pending:
                if progress.cancelled:
                    raise CancelledError("Cancelled by the user.")
                finished = [f for f in pending if f.done()]
                if not finished:
                    time.sleep(0.05)
                    continue
                for f in finished:
                    pending.remove(f)
                    res = f.result()   # raises the chunk's error (after its retry)
                    f.release()
                    yield res
        finally:
            if pending:
                client.cancel(pending, force=True)
