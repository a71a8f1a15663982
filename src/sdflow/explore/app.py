"""The explorer's endpoints: requests in, JSON (or the page's files) out, no sockets.

`ExplorerApp.handle` takes a method, a path and a request body and returns a `Reply`;
the HTTP server (`sdflow.explore.server`) only moves bytes, so every endpoint can be
tested without a network or a browser.

=========================  =============================================================
``GET /``                  the page (``static/index.html``, its script and style)
``GET /api/model``         model, time settings, sliders, plottable series
``POST /api/run``          ``{settings, series}``: baseline and current series
``POST /api/fan``          ``{settings, series, uncertain, spread, runs, seed}``: bands
``POST /api/loops``        ``{settings}``: loop dominance over time
``POST /api/scenario``     ``{settings, outputs, uncertain, spread, n}``: scenario TOML
``GET /api/diagram``       ``?kind=stock_flow|causal_loop&loop=R1``: `sdflow.diagram` SVG
=========================  =============================================================

``settings`` is ``{"values": {constant: number or list}, "policy_year": number or null}``
(`sdflow.explore.settings.parse_settings`). Bad requests answer 400 with
``{"error": message}``; the message names the constant, series or key and the fix.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import traceback
from dataclasses import dataclass
from importlib import resources
from urllib.parse import parse_qsl

from ..analyse.diagrams import diagram, require_dot
from ..errors import SdflowError
from .controls import model_controls
from .dominance import loop_dominance
from .runs import RunCache, compare, fan, series_labels, spread_bounds
from .scenario_file import scenario_toml
from .settings import ExploreInputError, parse_settings

_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8"}
#: Diagrams the page offers (`sdflow.diagram` kinds).
DIAGRAM_KINDS = ("stock_flow", "causal_loop")
#: Series plotted when the page opens: the first stocks of the model.
DEFAULT_SERIES = 3


@dataclass(frozen=True)
class Reply:
    """An answer: HTTP status, content type and body."""

    status: int
    content_type: str
    body: bytes

    @property
    def json(self):
        """The body read as JSON (for tests and callers in Python)."""
        return json.loads(self.body)


def _json(status: int, payload) -> Reply:
    return Reply(status, "application/json", json.dumps(payload, allow_nan=False).encode())


class ExplorerApp:
    """The explorer of one model.

    Parameters
    ----------
    model : Model
        The model to explore; it is never changed (scenarios are new graphs).
    target, options : str, dict, optional
        How the model was named (``MODULE:ATTR`` and the factory's options), written into
        exported scenario files; without a target the export answers with an error.
    method : str
        Integration method of every run.

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> app = ExplorerApp(bass.build(), "sdmodels.reference.bass:build")
    >>> reply = app.handle("POST", "/api/run", b'{"settings": {"values": '
    ...                    b'{"imitation": 0.2}}, "series": ["adopters"]}')
    >>> reply.status, round(reply.json["series"][0]["current"][-1])
    (200, 928096)
    """

    def __init__(self, model, target: str | None = None, options: dict | None = None,
                 method: str = "euler"):
        self.model = model
        self.target = target
        self.options = dict(options or {})
        self.method = method
        self.cache = RunCache(model, method)
        # one computation at a time: runs share the model's compile cache, and a local
        # single-user page gains nothing from running two batches on the same cores
        self.lock = threading.Lock()
        self.routes = {("GET", "/api/model"): self.describe,
                       ("POST", "/api/run"): self.run,
                       ("POST", "/api/fan"): self.fan,
                       ("POST", "/api/loops"): self.loops,
                       ("POST", "/api/scenario"): self.scenario,
                       ("GET", "/api/diagram"): self.diagram}

    def handle(self, method: str, path: str, body: bytes = b"") -> Reply:
        """Answer one request."""
        path, _, query = path.partition("?")
        if method == "GET" and not path.startswith("/api/"):
            return self.static(path)
        endpoint = self.routes.get((method, path))
        if endpoint is None:
            known = sorted(f"{m} {p}" for m, p in self.routes)
            return _json(404 if all(p != path for _, p in self.routes) else 405,
                         {"error": f"no endpoint {method} {path}; endpoints are {known}"})
        try:
            request = dict(parse_qsl(query)) if method == "GET" else json.loads(body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _json(400, {"error": f"the request body is not JSON: {exc}"})
        if not isinstance(request, dict):
            return _json(400, {"error": "the request body must be a JSON object"})
        try:
            with self.lock:
                return endpoint(request)
        except SdflowError as exc:
            return _json(400, {"error": str(exc)})
        except Exception as exc:  # noqa: BLE001 - the page shows it instead of hanging
            traceback.print_exc(file=sys.stderr)
            return _json(500, {"error": f"internal error: {type(exc).__name__}: {exc}; the "
                                        "traceback is in the terminal running the explorer: "
                                        "please report it"})

    def static(self, path: str) -> Reply:
        """The page's own files; nothing else of the disk is served."""
        name = "index.html" if path in ("/", "/index.html") else path.rpartition("/")[2]
        suffix = "." + name.rpartition(".")[2]
        folder = resources.files(__package__) / "static"
        if path not in ("/", "/index.html") and path != f"/static/{name}" or \
                suffix not in _STATIC_TYPES or not (folder / name).is_file():
            return _json(404, {"error": f"no page {path}"})
        return Reply(200, _STATIC_TYPES[suffix], (folder / name).read_bytes())

    def describe(self, request: dict) -> Reply:
        """The model's name, time settings, sliders and plottable series."""
        model = self.model
        series = series_labels(self.cache.baseline)
        stocks = [s["label"] for s in series if s["kind"] == "stock"]
        return _json(200, {
            "name": model.name, "start": model.start, "stop": model.stop, "dt": model.dt,
            "time_units": model.time_units or "",
            "controls": [c.as_json() for c in model_controls(model)],
            "series": series,
            "default_series": (stocks or [s["label"] for s in series])[:DEFAULT_SERIES],
            "can_export": bool(self.target), "diagram_kinds": list(DIAGRAM_KINDS)})

    def run(self, request: dict) -> Reply:
        settings = parse_settings(self.model, request.get("settings"))
        return _json(200, compare(self.cache, settings, _labels(request.get("series"))))

    def fan(self, request: dict) -> Reply:
        settings = parse_settings(self.model, request.get("settings"))
        labels = _labels([request.get("series")])
        return _json(200, fan(self.cache, settings, labels[0],
                              _names(request.get("uncertain"), "uncertain"),
                              spread=_number(request.get("spread", 0.2), "spread"),
                              runs=request.get("runs", 200),
                              seed=request.get("seed", 0)))

    def loops(self, request: dict) -> Reply:
        settings = parse_settings(self.model, request.get("settings"))
        return _json(200, loop_dominance(self.model, settings, self.method))

    def scenario(self, request: dict) -> Reply:
        settings = parse_settings(self.model, request.get("settings"))
        names = _names(request.get("uncertain") or [], "uncertain")
        spread = _number(request.get("spread", 0.2), "spread")
        uncertain = spread_bounds(self.model, settings, names, spread)
        outputs = sorted({label.partition("[")[0]
                          for label in _names(request.get("outputs") or [], "outputs")})
        n = request.get("n", 1000)
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ExploreInputError(f"n {n!r} must be a whole number of at least 1")
        text = scenario_toml(settings, self.target, self.options, self.method,
                             outputs=outputs, uncertain=uncertain, n=n)
        return _json(200, {"toml": text, "filename": "explored.toml"})

    def diagram(self, request: dict) -> Reply:
        """The model's diagram as SVG: ``kind`` (stock_flow by default) and optionally
        one ``loop`` id of `sdflow.loops` to draw alone."""
        kind = request.get("kind", "stock_flow")
        if kind not in DIAGRAM_KINDS:
            raise ExploreInputError(f"unknown diagram kind {kind!r}; use one of "
                                    f"{list(DIAGRAM_KINDS)}")
        loop = request.get("loop")
        require_dot()
        drawing = diagram(self.model, kind=kind, loops=[loop] if loop else None)
        try:
            svg = drawing.pipe(format="svg")
        except subprocess.CalledProcessError as exc:  # Graphviz itself failed
            return _json(500, {"error": f"Graphviz could not lay out the {kind} diagram "
                                        f"({exc}); try the other kind of diagram"})
        return Reply(200, "image/svg+xml", svg)


def _labels(value) -> list[str]:
    labels = _names(value, "series")
    if not labels:
        raise ExploreInputError("choose at least one series to plot")
    return labels


def _names(value, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ExploreInputError(f"'{key}' must be a list of names, e.g. [\"adopters\"]")
    return value


def _number(value, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExploreInputError(f"'{key}' must be a number, got {value!r}")
    return float(value)
