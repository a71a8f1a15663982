"""XMILE ``<views>``: every variable on the diagram, and the file still reads and runs the
same in Simlin (pysimlin, which draws the view) and PySD (which ignores it)."""

from __future__ import annotations

import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import sdflow as sf
from sdflow.analyse import diagrams
from sdflow.io.xmile_views import ViewsSkippedWarning
from sdmodels.reference import sir, teacup

pytestmark = pytest.mark.skipif(not diagrams.dot_available(), reason="Graphviz's dot "
                                "program is not installed (apt-get install graphviz): views "
                                "are laid out by dot")
X = "{http://docs.oasis-open.org/xmile/ns/XMILE/v1.0}"


def build_with_lookup() -> sf.Model:
    """A stock fed through a graphical function (a standalone <gf> in XMILE), declared
    before the stock, and a data series (an aux holding its own table)."""
    m = sf.Model("fed", start=0, stop=8, dt=0.5, time_units="year")
    effect = m.lookup("effect of stock", x=[0, 10, 20], y=[1.0, 0.5, 0.0])
    stock = m.stock("stock", initial=10.0, units="widget")
    m.data("price", pd.Series([1.0, 2.0, 1.5], index=[0.0, 4.0, 8.0]))
    m.flow("production", 2.0 * effect(stock / m.const("unit", 1.0, units="widget")),
           sink=stock, units="widget/year")
    m.flow("sales", stock / m.const("sales time", 4.0, units="year"), source=stock,
           units="widget/year")
    return m


def written(model, tmp_path):
    path = tmp_path / f"{model.name}.xmile"
    sf.write_xmile(model, path)
    return path, ET.parse(path).getroot()


def view_of(root):
    views = root.findall(f"{X}model/{X}views/{X}view")
    assert len(views) == 1 and views[0].get("type") == "stock_flow"
    return views[0]


def canonical(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


@pytest.mark.parametrize("build", [sir.build, build_with_lookup])
def test_every_variable_has_a_view_element_of_its_kind(build, tmp_path):
    _, root = written(build(), tmp_path)
    variables = {canonical(v.get("name")): v.tag for v in root.find(f"{X}model/{X}variables")
                 if v.tag != f"{X}gf"}
    view = view_of(root)
    shown = {canonical(e.get("name")): e.tag for e in view if e.tag != f"{X}connector"}
    assert shown == variables
    for element in view:
        if element.tag != f"{X}connector":
            assert float(element.get("x")) >= 0 and float(element.get("y")) >= 0
    ends = {(canonical(c.find(f"{X}from").text), canonical(c.find(f"{X}to").text))
            for c in view.iter(f"{X}connector")}
    assert ends <= {(a, b) for a in shown for b in shown}
    assert len({c.get("uid") for c in view.iter(f"{X}connector")}) == len(ends)


def test_sir_connectors_and_pipes(tmp_path):
    _, root = written(sir.build(), tmp_path)
    view = view_of(root)
    ends = {(c.find(f"{X}from").text, c.find(f"{X}to").text)
            for c in view.iter(f"{X}connector")}
    # the information links of the equations (see sdmodels.reference.sir), initial
    # value included
    assert ends == {("susceptible", "succumbing"), ("infectious", "succumbing"),
                    ("total_population", "succumbing"), ("contact_infectivity", "succumbing"),
                    ("infectious", "recovering"), ("duration", "recovering"),
                    ("total_population", "susceptible")}
    at = {e.get("name"): (float(e.get("x")), float(e.get("y"))) for e in view
          if e.tag != f"{X}connector"}
    for flow in view.iter(f"{X}flow"):
        (x0, y0), (x1, y1) = [(float(p.get("x")), float(p.get("y")))
                              for p in flow.iter(f"{X}pt")]
        vx, vy = at[flow.get("name")]
        assert y0 == y1 == vy and min(x0, x1) <= vx <= max(x0, x1)  # valve on the pipe
    # material runs left to right: susceptible -> infectious -> recovered
    assert at["susceptible"][0] < at["infectious"][0] < at["recovered"][0]


@pytest.mark.parametrize("build, names", [
    (sir.build, ["susceptible", "infectious", "recovered", "succumbing"]),
    (teacup.build, ["teacup temperature", "heat loss to room"])])
def test_simlin_reads_the_views_and_runs_the_same(build, names, tmp_path):
    simlin = pytest.importorskip("simlin", reason="pysimlin is not installed")
    model = build()
    path, root = written(model, tmp_path)
    loaded = simlin.load(str(path))
    theirs = loaded.run().results
    ours = model.simulate().dataset
    for name in names:
        np.testing.assert_allclose(theirs[name.replace(" ", "_")].values, ours[name].values,
                                   rtol=1e-10, err_msg=name)
    # Simlin draws our layout: each stock's box is centred where the view puts it
    svg = loaded.diagram().svg
    for stock in view_of(root).iter(f"{X}stock"):
        left = float(stock.get("x")) - 22.5
        assert f'<rect x="{left:g}"' in svg


def test_simlin_opens_views_of_a_model_with_graphical_functions(tmp_path):
    # Simlin 0.8 looks a view's stocks up in the order of <variables> and aborts the
    # process on a standalone <gf> met first; the writer moves them last. In a child
    # process, so that an abort fails this test rather than the test run. (Simlin
    # cannot run this model either way: it does not compile calls of standalone tables.)
    pytest.importorskip("simlin", reason="pysimlin is not installed")
    path, root = written(build_with_lookup(), tmp_path)
    tags = [v.tag for v in root.find(f"{X}model/{X}variables")]
    assert tags[-1] == f"{X}gf" and f"{X}gf" not in tags[:-1]
    script = ("import simlin, sys; m = simlin.load(sys.argv[1]); "
              "print(m.diagram().svg.count('simlin-stock'))")
    child = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                           text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-500:]
    assert int(child.stdout) >= 1


def test_pysd_reads_the_views_and_runs_the_same(tmp_path):
    pysd = pytest.importorskip("pysd", reason="pysd is not installed")
    model = sir.build()
    path, _ = written(model, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pysd.read_xmile(str(path)).run()
    ours = model.simulate().dataset
    for name in ("susceptible", "infectious", "recovered"):
        np.testing.assert_allclose(peer[name].values, ours[name].values, rtol=1e-10)


def test_without_dot_the_file_has_no_views_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(diagrams, "dot_available", lambda: False)
    with pytest.warns(ViewsSkippedWarning, match="apt-get install graphviz"):
        _, root = written(sir.build(), tmp_path)
    assert root.find(f"{X}model/{X}views") is None
    assert root.find(f"{X}model/{X}variables/{X}stock") is not None


def test_a_graphviz_failure_costs_the_views_not_the_file(tmp_path, monkeypatch):
    import sdflow.io.xmile_views as views

    def crash(structure):
        raise subprocess.CalledProcessError(-6, ["dot", "-Tjson"])

    monkeypatch.setattr(views, "layout", crash)
    with pytest.warns(ViewsSkippedWarning, match="could not lay out"):
        _, root = written(sir.build(), tmp_path)
    assert root.find(f"{X}model/{X}views") is None
    assert len(root.findall(f"{X}model/{X}variables/{X}stock")) == 3
