"""Fault-injecting servers on 127.0.0.1 for the download tests: the loopback
server plus *streamed* routes that write the response themselves (slow
bodies, a byte every N seconds, connection resets)."""
from __future__ import annotations

import socket
import struct
import threading
import time
from urllib.parse import unquote, urlsplit

from loopback import LoopbackServer


class FaultServer(LoopbackServer):
    """``streams`` maps a path to ``fn(handler, range_header) -> bool``: the
    function writes a whole response and returns True, or returns False to let
    the ordinary (Range-capable) static server answer."""

    def __init__(self, root, routes=None, streams=None):
        super().__init__(root, routes)
        self.streams = dict(streams or {})
        self.stopping = threading.Event()

    def stop(self):
        self.stopping.set()
        super().stop()

    def _handle(self, h, head):
        path = unquote(urlsplit(h.path).path)
        fn = self.streams.get(path)
        rng = h.headers.get("Range")
        if fn is not None and not head:
            try:
                if fn(h, rng):
                    with self.lock:
                        self.requests.append((h.command, path, rng, "stream"))
                    h.close_connection = True
                    return
            except OSError:  # the client went away (cancel, stall, reset): expected
                h.close_connection = True
                return
        super()._handle(h, head)


def send_headers(h, status=200, length=None, extra=None):
    h.send_response(status)
    if length is not None:
        h.send_header("Content-Length", str(length))
    h.send_header("Content-Type", "application/octet-stream")
    h.send_header("Connection", "close")
    for k, v in (extra or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.flush()


def trickle(body, step_bytes, every_s, stop=None):
    """Stream ``body`` ``step_bytes`` at a time every ``every_s`` seconds."""
    def fn(h, _rng):
        send_headers(h, 200, len(body))
        for i in range(0, len(body), step_bytes):
            if stop is not None and stop.is_set():
                return True
            h.wfile.write(body[i:i + step_bytes])
            h.wfile.flush()
            if i + step_bytes < len(body):
                time.sleep(every_s)
        return True
    return fn


def reset_after(body, n_bytes, times=1):
    """Send the headers and ``n_bytes`` of ``body``, then reset the connection
    (TCP RST); ``times`` requests, then the static server answers."""
    left = {"n": times}

    def fn(h, _rng):
        if left["n"] <= 0:
            return False
        left["n"] -= 1
        send_headers(h, 200, len(body))
        h.wfile.write(body[:n_bytes])
        h.wfile.flush()
        time.sleep(0.05)
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        return True
    return fn


def status_then(status, times=1, headers=None):
    """Answer ``status`` (with ``headers``) ``times`` times, then let the static server answer."""
    left = {"n": times}

    def fn(h, _rng):
        if left["n"] <= 0:
            return False
        left["n"] -= 1
        send_headers(h, status, 0, headers)
        return True
    return fn
