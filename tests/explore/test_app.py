"""The explorer's JSON endpoints, without a browser (`sdflow.explore.app`).

Expected numbers come from closed forms: the growth model ``x' = rate x`` from ``x = 1``
over 2020-2030 with dt 1 gives, by Euler, ``x(2030) = (1 + rate) ** 10``, and
``(1 + r1) ** 5 * (1 + r2) ** 5`` when the rate changes from r1 to r2 in 2025.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import numpy as np
import pytest

from sdflow.explore import ExplorerApp, start_in_background
from sdflow.forecasting.examples import growth_model
from sdmodels.reference import bass, sir

GROWTH = "sdflow.forecasting.examples:growth_model"


def post(app, path, payload):
    return app.handle("POST", path, json.dumps(payload).encode())


@pytest.fixture(scope="module")
def growth():
    return ExplorerApp(growth_model(0.02), GROWTH, {"rate": 0.02})


def test_model_lists_sliders_series_and_defaults(growth):
    reply = growth.handle("GET", "/api/model")
    assert reply.status == 200
    info = reply.json
    assert (info["name"], info["start"], info["stop"]) == ("growth", 2020.0, 2030.0)
    (rate,) = info["controls"]
    # no documented range: 0 to twice the value
    assert (rate["name"], rate["default"], rate["low"], rate["high"]) == \
        ("rate", 0.02, 0.0, 0.04)
    assert [s["label"] for s in info["series"]] == ["x", "growth"]
    assert info["default_series"] == ["x"] and info["can_export"]
    assert info["diagram_kinds"] == ["stock_flow", "causal_loop"]


def test_run_over_the_whole_run_against_the_baseline(growth):
    reply = post(growth, "/api/run", {"settings": {"values": {"rate": 0.05}},
                                      "series": ["x"]})
    assert reply.status == 200
    (x,) = reply.json["series"]
    assert x["baseline"][-1] == pytest.approx(1.02 ** 10)
    assert x["current"][-1] == pytest.approx(1.05 ** 10)
    assert x["change_at_end"] == pytest.approx(1.05 ** 10 / 1.02 ** 10 - 1)
    assert reply.json["time"] == list(np.arange(2020.0, 2031.0))


def test_policy_year_applies_the_change_from_then_on(growth):
    reply = post(growth, "/api/run", {"settings": {"values": {"rate": 0.05},
                                                   "policy_year": 2025},
                                      "series": ["x"]})
    (x,) = reply.json["series"]
    assert x["current"][5] == pytest.approx(1.02 ** 5)       # unchanged before 2025
    assert x["current"][-1] == pytest.approx(1.02 ** 5 * 1.05 ** 5)
    assert "from 2025 on" in reply.json["scenario"]


def test_fan_bands_cover_the_spread(growth):
    # rate uniform in 0.02 * (1 -/+ 0.5) = [0.01, 0.03]: x(2030) = (1 + rate)**10 is
    # monotone in rate, so its quantiles are those of the rate mapped through it
    reply = post(growth, "/api/fan", {"settings": {}, "series": "x", "uncertain": ["rate"],
                                      "spread": 0.5, "runs": 400, "seed": 3})
    assert reply.status == 200
    out = reply.json
    assert out["runs"] == 400 and out["failed"] == 0
    assert out["uncertain"] == {"rate": [0.01, 0.03]}
    ends = {q: band[-1] for q, band in out["bands"].items()}
    for q in ("0.05", "0.5", "0.95"):
        expected = (1 + 0.01 + 0.02 * float(q)) ** 10
        assert ends[q] == pytest.approx(expected, rel=0.01)
    assert ends["0.05"] < ends["0.25"] < ends["0.5"] < ends["0.75"] < ends["0.95"]


def test_loops_of_sir_reinforcing_then_balancing():
    # SIR: the reinforcing infection loop dominates first, then the balancing loops
    # (the textbook result, also the example of sf.dominant_loops)
    app = ExplorerApp(sir.build())
    out = post(app, "/api/loops", {"settings": {}}).json
    assert out["level"] == "variables"
    assert {loop["id"] for loop in out["loops"]} == {"R1", "B1", "B2"}
    assert out["periods"][0]["loops"] == ["R1"]
    assert out["periods"][1]["loops"] == ["B1", "B2"]
    for loop in out["loops"]:
        assert len(loop["scores"]) == len(out["time"])
        signs = {np.sign(s) for s in loop["scores"] if s}
        assert signs == ({1.0} if loop["polarity"] == "reinforcing" else {-1.0})


def test_arrayed_model_sliders_runs_and_loops_between_elements():
    from sdmodels.regional_integration import build

    app = ExplorerApp(build(preset="yrd", stop=2030), "sdmodels.regional_integration:build",
                      {"preset": "yrd", "stop": 2030})
    info = app.handle("GET", "/api/model").json
    kinds = [bool(c["dims"]) for c in info["controls"]]
    assert kinds == sorted(kinds, reverse=False) and any(kinds)  # scalars first
    lever = next(c for c in info["controls"] if c["name"] == "monitoring policy")
    assert (lever["low"], lever["high"]) == (0.0, 1.0)            # a share: 0 to 1
    year = next(c for c in info["controls"] if c["name"] == "policy year")
    assert (year["low"], year["high"]) == (2004.0, 2030.0)        # a time: the run
    arrayed = next(c for c in info["controls"] if c["name"] == "capital initial")
    assert arrayed["elements"][0] == "capital initial[Shanghai]"
    capital = info["default_series"][0]
    assert capital.endswith("[Shanghai]")
    doubled = [2 * v for v in arrayed["default"]]
    out = post(app, "/api/run", {"settings": {"values": {"capital initial": doubled}},
                                 "series": ["capital[Shanghai]"]}).json
    (series,) = out["series"]
    # the first saved value is the initial capital itself
    assert series["current"][0] == pytest.approx(2 * series["baseline"][0])
    loops = post(app, "/api/loops", {"settings": {}}).json
    assert loops["level"] == "elements" and loops["loops"]
    assert all("[" in v for v in loops["loops"][0]["variables"])


def test_diagrams_of_the_model_and_of_one_loop():
    from sdflow.analyse.diagrams import dot_available

    if not dot_available():
        pytest.skip("Graphviz's dot is not installed: apt-get install graphviz")
    app = ExplorerApp(sir.build())
    whole = app.handle("GET", "/api/diagram")
    assert whole.status == 200 and whole.content_type == "image/svg+xml"
    assert b"<svg" in whole.body and b"susceptible" in whole.body
    loop = app.handle("GET", "/api/diagram?kind=causal_loop&loop=R1")
    assert loop.status == 200 and b"R1" in loop.body and b"B2" not in loop.body
    bad = app.handle("GET", "/api/diagram?kind=sketch")
    assert bad.status == 400 and "unknown diagram kind 'sketch'" in bad.json["error"]
    unknown_loop = app.handle("GET", "/api/diagram?kind=causal_loop&loop=R9")
    assert unknown_loop.status == 400 and "R9" in unknown_loop.json["error"]


@pytest.mark.parametrize("payload, words", [
    ({"settings": {"values": {"rat": 1}}, "series": ["x"]}, "'rat' is not a constant"),
    ({"settings": {"values": {"rate": "fast"}}, "series": ["x"]}, "value for 'rate'"),
    ({"settings": {"values": {"rate": 0.1}, "policy_year": 1999}, "series": ["x"]},
     "policy_year 1999 is outside the run (2020 to 2030)"),
    ({"settings": {"value": {}}, "series": ["x"]}, "unknown key(s) ['value']"),
    ({"settings": {}, "series": ["y"]}, "'y' is not a series of the run"),
    ({"settings": {}, "series": []}, "choose at least one series"),
])
def test_bad_requests_name_the_culprit(growth, payload, words):
    reply = post(growth, "/api/run", payload)
    assert reply.status == 400
    assert words in reply.json["error"]


def test_bad_fan_and_unknown_paths(growth):
    reply = post(growth, "/api/fan", {"series": "x", "uncertain": ["rate"], "runs": 1})
    assert reply.status == 400 and "runs 1 must be a whole number from 2" in \
        reply.json["error"]
    assert growth.handle("POST", "/api/run", b"{not json").status == 400
    assert growth.handle("GET", "/api/nothing").status == 404
    assert growth.handle("GET", "/api/run").status == 405
    assert growth.handle("GET", "/../../etc/passwd").status == 404
    assert growth.handle("GET", "/static/app.py").status == 404


def test_page_and_its_files_are_served(growth):
    page = growth.handle("GET", "/")
    assert page.status == 200 and page.content_type.startswith("text/html")
    assert b"/static/explorer.js" in page.body
    script = growth.handle("GET", "/static/explorer.js")
    assert script.status == 200 and b"/api/run" in script.body
    # no file of the page reaches for the network
    for name in ("/", "/static/explorer.js", "/static/charts.js", "/static/explorer.css"):
        assert b"http://" not in growth.handle("GET", name).body.replace(
            b"http://www.w3.org/2000/svg", b"")
        assert b"https://" not in growth.handle("GET", name).body


def test_server_listens_on_loopback_only():
    server = start_in_background(ExplorerApp(bass.build()))
    try:
        assert server.server_address[0] == "127.0.0.1"
        url = f"http://127.0.0.1:{server.server_port}"
        info = json.load(urllib.request.urlopen(f"{url}/api/model"))
        assert info["name"] == "bass diffusion"
        request = urllib.request.Request(f"{url}/api/run", data=b'{"series": ["nope"]}',
                                         method="POST")
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request)
        assert caught.value.code == 400
        assert "'nope' is not a series" in json.load(caught.value)["error"]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", ["bass", "lotka_volterra", "sir", "solow", "teacup"])
def test_every_reference_model_explores(name):
    # model-agnostic: the first slider moved to the top of its range changes the run of
    # some plotted series, and the loops are scored
    import importlib

    model = importlib.import_module(f"sdmodels.reference.{name}").build()
    app = ExplorerApp(model, f"sdmodels.reference.{name}:build")
    info = app.handle("GET", "/api/model").json
    first = info["controls"][0]
    assert first["low"] < first["default"] < first["high"]
    labels = [s["label"] for s in info["series"]]
    out = post(app, "/api/run", {"settings": {"values": {first["name"]: first["high"]}},
                                 "series": labels}).json
    assert any(s["current"] != s["baseline"] for s in out["series"])
    loops = post(app, "/api/loops", {"settings": {}}).json
    assert loops["loops"] and loops["level"] == "variables"


def test_loops_of_an_arrayed_model_are_shown_per_element():
    import sdflow as sf

    m = sf.Model("regions", start=0, stop=5, dt=0.5)
    region = m.dim("region", ["north", "south"])
    capital = m.stock("capital", initial=[1.0, 2.0], dims=[region])
    rate = m.const("rate", [0.05, 0.1], dims=[region])
    m.flow("investment", rate * capital, sink=capital, dims=[region])
    out = post(ExplorerApp(m), "/api/loops", {"settings": {}}).json
    assert out["level"] == "variables"
    # one loop per element: relative score 1 each, shown as half of the total each
    assert [loop["id"] for loop in out["loops"]] == ["R1[north]", "R1[south]"]
    for loop in out["loops"]:
        assert loop["variables"] == ["capital", "investment"]
        assert loop["scores"][1:] == pytest.approx([0.5] * (len(out["time"]) - 1))
    # each element's loops compete among themselves: R1 dominates in each region
    assert [p["loops"] for p in out["periods"]] == [["R1[north]"], ["R1[south]"]]
    assert [p["share"] for p in out["periods"]] == [1.0, 1.0]


def test_requests_for_another_host_or_from_another_origin_are_refused():
    import http.client

    server = start_in_background(ExplorerApp(bass.build()))
    port = server.server_port
    try:
        def status(method, headers, body=None):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request(method, "/api/model" if method == "GET" else "/api/run",
                               body=body, headers=headers)
            code = connection.getresponse().status
            connection.close()
            return code

        assert status("GET", {"Host": f"127.0.0.1:{port}"}) == 200
        assert status("GET", {"Host": f"localhost:{port}"}) == 200
        # a name of another site rebound to 127.0.0.1 (DNS rebinding)
        assert status("GET", {"Host": f"attacker.example:{port}"}) == 403
        run = b'{"series": ["adopters"]}'
        assert status("POST", {"Host": f"127.0.0.1:{port}",
                               "Origin": f"http://127.0.0.1:{port}"}, run) == 200
        # a form on another site posting to the explorer
        assert status("POST", {"Host": f"127.0.0.1:{port}",
                               "Origin": "https://attacker.example"}, run) == 403
    finally:
        server.shutdown()
        server.server_close()
