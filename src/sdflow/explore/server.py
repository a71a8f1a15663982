"""The explorer's HTTP server: the standard library's threading server on 127.0.0.1.

It only moves bytes between the socket and `ExplorerApp.handle`. It listens on the
loopback address alone: the page can change what the machine computes, so it is not
offered to the network. For the same reason it answers only requests addressed to
itself: a ``Host`` header other than ``127.0.0.1:PORT`` or ``localhost:PORT`` (another
site's name rebound to 127.0.0.1) and a request sent by a page of another origin are
refused with 403.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .app import ExplorerApp

#: The only address the explorer listens on.
HOST = "127.0.0.1"
#: Largest request body read (settings of a model with thousands of constant elements
#: stay far below it).
MAX_BODY = 8 * 1024 * 1024


def make_server(app: ExplorerApp, port: int = 0) -> ThreadingHTTPServer:
    """A server for ``app`` on 127.0.0.1:``port`` (0: a free port, see ``server_port``).

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> server = make_server(ExplorerApp(bass.build()))
    >>> server.server_address[0], server.server_port > 0
    ('127.0.0.1', True)
    >>> server.server_close()
    """
    handler = type("ExplorerHandler", (_Handler,), {"app": app})
    server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


def start_in_background(app: ExplorerApp, port: int = 0) -> ThreadingHTTPServer:
    """Serve ``app`` from a daemon thread; stop with ``server.shutdown()``.

    Examples
    --------
    >>> import json, urllib.request
    >>> from sdmodels.reference import bass
    >>> server = start_in_background(ExplorerApp(bass.build()))
    >>> url = f"http://127.0.0.1:{server.server_port}/api/model"
    >>> json.load(urllib.request.urlopen(url))["name"]
    'bass diffusion'
    >>> server.shutdown(); server.server_close()
    """
    server = make_server(app, port)
    threading.Thread(target=server.serve_forever, name="sdflow-explore",
                     daemon=True).start()
    return server


class _Handler(BaseHTTPRequestHandler):
    app: ExplorerApp
    server_version = "sdflow-explore"

    def do_GET(self):
        if self._refused():
            return
        self._answer(self.app.handle("GET", self.path))

    def do_POST(self):
        if self._refused():
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413, f"request body over {MAX_BODY} bytes")
            return
        self._answer(self.app.handle("POST", self.path, self.rfile.read(length)))

    def _refused(self) -> bool:
        """Refuse (403) a request not addressed to this server, or sent from a page of
        another origin; True when refused."""
        port = self.server.server_port
        hosts = {f"{HOST}:{port}", f"localhost:{port}"}
        origin = self.headers.get("Origin")
        if self.headers.get("Host") in hosts and (
                origin is None or origin in {f"http://{h}" for h in hosts}):
            return False
        self.send_error(403, "sdflow explore answers only its own page on "
                             f"http://{HOST}:{port}/")
        return True

    def _answer(self, reply):
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format, *args):  # requests are not news on a local page
        pass
