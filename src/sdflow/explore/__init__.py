"""A browser explorer for models: ``sdflow explore MODULE:ATTR``.

Sliders for the model's constants, live time plots against the baseline, fan charts from
one batch of runs, loop dominance over time, and export of the settings as a scenario
file that ``sdflow forecast`` reads.

Why this stack: a small server from the standard library (``http.server``, JSON
endpoints) and one static page that draws its charts as SVG with its own few hundred
lines of JavaScript. It works offline and installs nothing: no JavaScript bundle to
vendor or fetch from a CDN (Bokeh and Panel ship megabytes of it, and Panel's extensions
load from a CDN unless configured otherwise), no second event loop, and every chart is
plain SVG whose data a test can read. The computing is where sdflow is strong already:
each slider move is one run, a fan chart one batch of a few hundred runs.

Modules, one job each: `controls` (sliders and their ranges), `settings` (what the page
sends, as a forecasting scenario), `runs` (runs and fan charts), `dominance` (loop
scores), `scenario_file` (TOML export), `app` (the endpoints, the diagram among them),
`server` (HTTP on 127.0.0.1); ``static/`` holds the page (``index.html``, ``charts.js``
drawing SVG, ``explorer.js`` the controls and views).
"""

from __future__ import annotations

from .app import ExplorerApp
from .server import HOST, make_server, start_in_background

__all__ = ["ExplorerApp", "HOST", "explore", "make_server", "start_in_background"]


def explore(model, target: str | None = None, options: dict | None = None, port: int = 0,
            method: str = "euler", on_ready=None) -> None:
    """Serve the explorer of ``model`` on http://127.0.0.1:PORT until interrupted.

    Parameters
    ----------
    model : Model
        The model to explore.
    target, options : str, dict, optional
        ``MODULE:ATTR`` and factory options that build the model, written into exported
        scenario files (export needs them).
    port : int
        Port on 127.0.0.1; 0 picks a free one.
    method : str
        Integration method of the runs.
    on_ready : callable, optional
        Called with the server once it listens (default: print its address).

    Examples
    --------
    >>> import threading
    >>> from sdmodels.reference import bass
    >>> def stop_at_once(server):
    ...     print("listening on", server.server_address[0])
    ...     threading.Thread(target=server.shutdown).start()
    >>> explore(bass.build(), on_ready=stop_at_once)
    listening on 127.0.0.1
    """
    server = make_server(ExplorerApp(model, target, options, method), port)
    try:
        (on_ready or _print_address)(server)
        server.serve_forever()
    finally:
        server.server_close()


def _print_address(server) -> None:
    print(f"sdflow explore: http://{HOST}:{server.server_port}/ (Ctrl+C stops)", flush=True)
