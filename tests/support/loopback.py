"""A static-file HTTP server on 127.0.0.1 for tests: answers HTTP Range
requests (206) as GDAL's /vsicurl/ needs, HEAD, optional extra routes, and
counts the bytes it sends so tests can check what a reader fetched."""
from __future__ import annotations

import email.utils
import hashlib
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class LoopbackServer:
    """Serve ``root`` at ``self.url``. ``routes`` maps a path prefix to a
    callable ``(handler, path, query) -> (status, headers, body) | None``."""

    def __init__(self, root, routes=None):
        self.root = Path(root)
        self.routes = dict(routes or {})
        self.bytes_sent = 0
        self.requests = []  # (method, path, range header or None, status)
        self.fail_next = {}  # path -> list of statuses to answer first
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms stalls per small response

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                server._handle(self, head=True)

            def do_GET(self):
                server._handle(self, head=False)

            def do_POST(self):
                server._handle(self, head=False)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset_counters(self):
        with self.lock:
            self.bytes_sent = 0
            self.requests = []

    def _send(self, h, status, headers, body, head):
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        if "Content-Length" not in headers:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if not head and body:
            h.wfile.write(body)
            with self.lock:
                self.bytes_sent += len(body)

    def _handle(self, h, head):
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        rng = h.headers.get("Range")
        with self.lock:
            queue = self.fail_next.get(path)
            forced = queue.pop(0) if queue else None
        if forced is not None:
            with self.lock:
                self.requests.append((h.command, path, rng, forced))
            self._send(h, forced, {"Content-Type": "text/plain"}, b"forced failure", head)
            return
        for prefix, fn in self.routes.items():
            if path.startswith(prefix):
                res = fn(h, path, parts.query)
                if res is not None:
                    status, headers, body = res
                    with self.lock:
                        self.requests.append((h.command, path, rng, status))
                    self._send(h, status, headers, body, head)
                    return
        f = (self.root / path.lstrip("/")).resolve()
        if not str(f).startswith(str(self.root.resolve())) or not f.is_file():
            with self.lock:
                self.requests.append((h.command, path, rng, 404))
            self._send(h, 404, {"Content-Type": "text/plain"}, b"not found", head)
            return
        size = f.stat().st_size
        st = f.stat()
        etag = '"' + hashlib.md5(f"{f}:{st.st_mtime_ns}:{size}".encode()).hexdigest() + '"'
        headers = {"Accept-Ranges": "bytes", "ETag": etag,
                   "Last-Modified": email.utils.formatdate(st.st_mtime, usegmt=True),
                   "Content-Type": "application/octet-stream"}
        m = _RANGE.match(rng.strip()) if rng else None
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                start = int(m.group(1))
                end = int(m.group(2)) if m.group(2) else size - 1
            else:  # suffix range
                start, end = max(0, size - int(m.group(2))), size - 1
            end = min(end, size - 1)
            if start >= size:
                with self.lock:
                    self.requests.append((h.command, path, rng, 416))
                self._send(h, 416, {"Content-Range": f"bytes */{size}"}, b"", head)
                return
            with open(f, "rb") as fh:
                fh.seek(start)
                body = fh.read(end - start + 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
            with self.lock:
                self.requests.append((h.command, path, rng, 206))
            self._send(h, 206, headers, body, head)
            return
        body = b"" if head else f.read_bytes()
        headers["Content-Length"] = str(size)
        with self.lock:
            self.requests.append((h.command, path, rng, 200))
        self._send(h, 200, headers, body, head)


def free_env_proxies():
    """Make sure clients do not send loopback traffic through a proxy."""
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        os.environ.pop(k, None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
