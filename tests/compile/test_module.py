"""The generated module holds only what the compiler means to write, whatever the names.

Model text (variable, lookup, data, dimension and model names) is free text: an XMILE file
can put a newline followed by indented Python in a name. These tests build models whose
names hold newlines, quotes, backslashes, ``#``, control characters, triple quotes, names
Python reads as one another after normalisation, and names the generated code uses itself
(``start``, ``sum``...). The model must compile on every path, give the numbers worked out
here by hand, and the generated source, parsed with `ast`, may contain only the functions,
statements and names the compiler writes.

Expected numbers: Euler's method on exponential decay, ``s_j = s_0 (1 - k dt)^j``, with a
lookup that is the identity scaled by 1/10 on its range (so ``table(s) = s / 10``).
"""

from __future__ import annotations

import ast
import builtins
import math
import re
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sdflow as sf
from sdflow.compile import compile_model
from sdflow.names import name_key

#: Text built to escape from a comment, a docstring or a string literal if written raw.
PAYLOADS = [
    "x\n    __import__('builtins').SDFLOW_INJECTED = 1",
    "x\r    __import__('builtins').SDFLOW_INJECTED = 1",
    'x"""\n__import__(\'builtins\').SDFLOW_INJECTED = 1\n"""',
    "x'''\n__import__('builtins').SDFLOW_INJECTED = 1\n'''",
    "x\\\n__import__('builtins').SDFLOW_INJECTED = 1",
    "# \x0c\x0b\x1c\x85\u2028 newline-like characters",
    "\x00nul and \x1b escape",
]
#: Names the generated code binds or calls itself, and names equal after NFKC.
CLASHES = ["start", "check", "sum", "min", "float", "initialize", "evaluate", "steps",
           "rows", "t", "dt", "np", "C_k", "ℂ_k", "ﬁx", "fix", "LX_effect", "2nd", "None",
           "lambda", "_", "__builtins__"]

NAMES = st.one_of(st.text(min_size=1, max_size=15), st.sampled_from(PAYLOADS + CLASHES))
FIVE_NAMES = st.lists(NAMES, min_size=5, max_size=5,
                      unique_by=name_key).filter(lambda names: all(map(name_key, names)))

#: Names the compiler itself writes in the source besides the model's identifiers.
COMPILER_NAMES = {
    "t", "y", "P", "mem", "k", "n", "np", "rt", "math", "dy", "dt", "commit", "save",
    "t_input", "steps", "start", "save_every", "rows", "keep", "check", "row", "initialize",
    "float", "min", "max", "abs", "bool", "sum", "type", "complex", "range", "None"}
#: Attributes the compiler reads: of np, rt and math, and of arrays and the memory dict.
METHODS = {"transpose", "reshape", "copy", "append", "get", "shape"}
FUNCTIONS = {"initialize", "evaluate", "run_euler", "run_fixed"}
#: Locals of the fused time loop (`sdflow.compile.grid_loop`): all start with "_", which no
#: identifier made from model text does.
LOOP_NAMES = re.compile(r"_(times|dts|save|last|t0|check|rows|row|state)|_k\d+_\d+|_y_\d+"
                        r"|_h_m?\d+_\d+|len")


def decay_model(names, model_name="decay") -> sf.Model:
    """Exponential decay with every name taken from ``names``."""
    k_name, stock_name, flow_name, lookup_name, aux_name = names
    m = sf.Model(model_name, start=0, stop=2, dt=0.5)
    k = m.const(k_name, 0.2)
    s = m.stock(stock_name, initial=10.0)
    m.flow(flow_name, k * s, source=s)
    table = m.lookup(lookup_name, x=[0, 10], y=[0, 1])
    m.aux(aux_name, table(s) + m.time)
    return m


def expected_decay(k):
    """Euler on ds/dt = -k s, s(0) = 10, dt = 0.5, at t = 0, 0.5, ..., 2."""
    j = np.arange(5)
    s = 10.0 * (1 - 0.5 * np.asarray(k, float)[..., None]) ** j
    return s, s / 10 + 0.5 * j


def assert_only_intended(compiled) -> None:
    """The module is a docstring and the generated functions, and reads only its names."""
    tree = ast.parse(compiled.source)
    docstring, *functions = tree.body
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    assert all(isinstance(f, ast.FunctionDef) and not f.decorator_list for f in functions)
    assert {f.name for f in functions} <= FUNCTIONS and "evaluate" in {f.name for f in functions}
    namespace = compiled.evaluate.__globals__
    tables = {name for name in namespace if name.startswith(("C_", "LX_", "LY_", "DX_", "DY_"))}
    allowed = set(compiled.names.values()) | tables | COMPILER_NAMES
    literals = {"dt", "t_input"} | set(compiled.graph.nodes)
    for node in ast.walk(tree):
        assert not isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal,
                                     ast.ClassDef, ast.Lambda, ast.AsyncFunctionDef,
                                     ast.Delete, ast.With, ast.Try, ast.Raise, ast.NamedExpr,
                                     ast.Yield, ast.Await, ast.JoinedStr)), ast.dump(node)
        if isinstance(node, ast.Name):
            assert node.id in allowed or LOOP_NAMES.fullmatch(node.id), \
                f"unexpected name {node.id!r}"
        elif isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            assert owner in ("np", "rt", "math") or node.attr in METHODS, ast.dump(node)
        elif isinstance(node, ast.Call):
            assert isinstance(node.func, (ast.Name, ast.Attribute)), ast.dump(node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            docstrings = {ast.get_docstring(f, clean=False) for f in functions}
            assert (node.value in literals | docstrings | {"inf", "-inf", "nan"}
                    or node is docstring.value), f"unexpected text {node.value!r}"
    # every model name that shows up as text does so inside a comment or a literal
    for line in compiled.source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            assert isinstance(ast.literal_eval(stripped[1:].strip()), str)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FIVE_NAMES, NAMES)
def test_any_names_compile_run_and_generate_only_intended_code(names, model_name):
    m = decay_model(names, model_name)
    s, a = expected_decay(0.2)
    for backend in ("scalar", "batched"):
        run = m.simulate(backend=backend)
        np.testing.assert_allclose(run[names[1]].values.ravel(), s, rtol=1e-12)
        np.testing.assert_allclose(run[names[4]].values.ravel(), a, rtol=1e-12)
    runs = m.simulate(params={names[0]: np.array([0.2, 0.4])}, n=2)
    s2, a2 = expected_decay([0.2, 0.4])
    np.testing.assert_allclose(runs[names[1]].transpose("run", "time").values, s2, rtol=1e-12)
    np.testing.assert_allclose(runs[names[4]].transpose("run", "time").values, a2, rtol=1e-12)
    for scalar in (True, False):
        assert_only_intended(compile_model(m.graph(), params=[names[0]], scalar=scalar))
    assert not hasattr(builtins, "SDFLOW_INJECTED")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_through_names_runs_nothing(payload):
    m = decay_model(["k", "s", "out", "effect", payload], model_name=payload)
    assert_only_intended(m.compile())
    np.testing.assert_allclose(m.simulate()[payload].values, expected_decay(0.2)[1])
    assert not hasattr(builtins, "SDFLOW_INJECTED")


@pytest.mark.parametrize("name", ["start", "sum", "initialize", "check", "steps", "min"])
def test_variables_named_like_the_generated_code_do_not_shadow_it(name):
    # `t = start + k * dt` in the fused Euler loop read a variable called "start", and a
    # variable called "sum" or "initialize" made the loop's own calls fail
    m = sf.Model("clash", start=0, stop=2, dt=0.5)
    s = m.stock("s", initial=10.0)
    m.flow("out", 0.2 * s, source=s)
    m.aux(name, s * 100)
    m.aux("clock", m.time)
    for backend in ("scalar", "batched"):
        run = m.simulate(backend=backend)
        np.testing.assert_allclose(run["clock"].values, [0, 0.5, 1, 1.5, 2])
        np.testing.assert_allclose(run[name].values, 100 * expected_decay(0.2)[0])


def test_lookups_whose_names_differ_in_punctuation_keep_their_own_tables():
    # both names read "effect_a" as identifiers; the second table used to replace the first
    m = sf.Model("tables", start=0, stop=1, dt=1)
    up, down = m.lookup("effect-a", x=[0, 1], y=[0, 1]), m.lookup("effect a", x=[0, 1], y=[1, 0])
    m.aux("both", up(0.25) * 10 + down(0.25))
    for backend in ("scalar", "batched"):
        np.testing.assert_allclose(m.simulate(backend=backend)["both"].values, [3.25, 3.25])


def test_arrayed_names_reach_the_batched_code_only_as_identifiers():
    # dimension, element, folded-table and data names all hold code; sums are 1+2+3 = 6
    evil = "e\n    __import__('builtins').SDFLOW_INJECTED = 1\n#"
    m = sf.Model(evil, start=0, stop=2, dt=0.5)
    region = m.dim(evil + " region", [evil, evil + "'", '"' + evil])
    w = m.const(evil + " weight", [1.0, 2.0, 3.0], dims=[region])
    s = m.stock(evil + " stock", initial=10.0)
    m.flow(evil + " flow", 0.2 * s, source=s)
    m.aux(evil + " total", sf.sum(w * s, over=region))
    m.aux(evil + " first", w.sel(**{evil + " region": '"' + evil}))
    times = [0.0, 1.0, 2.0]
    m.data(evil + " data", pd.Series([0.0, 2.0, 4.0], index=times))
    compiled = m.compile(scalar=False)
    assert_only_intended(compiled)
    run = m.simulate()
    s_values = expected_decay(0.2)[0]
    np.testing.assert_allclose(run[evil + " total"].values, 6 * s_values)
    np.testing.assert_allclose(run[evil + " first"].values, 3.0)
    np.testing.assert_allclose(run[evil + " data"].values, 2 * np.arange(5) * 0.5)
    assert not hasattr(builtins, "SDFLOW_INJECTED")


def test_a_model_name_with_triple_quotes_stays_in_the_docstring():
    m = decay_model(["k", "s", "out", "effect", "a"], model_name='q"""\nraise SystemExit\n"""')
    source = m.compile().source
    assert ast.get_docstring(ast.parse(source)) == (
        "Generated by sdflow from model 'q\"\"\"\\nraise SystemExit\\n\"\"\"' "
        "(scalar code path).")
    assert math.isclose(float(m.simulate()["s"][-1]), 10 * 0.9 ** 4)


def test_numba_backend_with_hostile_names(tmp_path, monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv("SDFLOW_CACHE_DIR", str(tmp_path))  # the generated file goes here
    names = ["ℂ_k", "start", PAYLOADS[0], "effect\n#", "sum"]
    m = decay_model(names, model_name=PAYLOADS[2])
    from sdflow.compile.numba_backend import compile_numba
    from sdflow.solve.solvers import Euler
    source = compile_numba(m.graph(), Euler.tableau, params=[name_key(names[0])]).source
    assert "SDFLOW_INJECTED" not in source
    assert [f.name for f in ast.parse(source).body] == ["_start", "_evaluate", "run"]
    runs = m.simulate(params={names[0]: np.array([0.2, 0.4])}, n=2, backend="numba")
    s2, a2 = expected_decay([0.2, 0.4])
    np.testing.assert_allclose(runs[names[1]].transpose("run", "time").values, s2, rtol=1e-12)
    np.testing.assert_allclose(runs[names[4]].transpose("run", "time").values, a2, rtol=1e-12)
    assert not hasattr(builtins, "SDFLOW_INJECTED")


def test_read_xmile_with_a_newline_in_a_name_executes_nothing(tmp_path):
    # the injection as reported: &#10; in an XMILE name, then indented Python that would
    # create a file when the generated module runs
    marker = tmp_path / "injected"
    text = textwrap.dedent(f"""\
        <?xml version="1.0" encoding="utf-8"?>
        <xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
          <header><vendor>x</vendor><product version="1">x</product><name>inj</name></header>
          <sim_specs method="Euler"><start>0</start><stop>2</stop><dt>0.5</dt></sim_specs>
          <model><variables>
            <stock name="s"><eqn>10</eqn><outflow>out</outflow></stock>
            <flow name="out"><eqn>0.2 * s</eqn></flow>
            <aux name="note&#10;    open({str(marker)!r}, 'w').write('x')"><eqn>TIME * 2</eqn></aux>
          </variables></model>
        </xmile>
        """)
    path = tmp_path / "injection.xmile"
    path.write_text(text, encoding="utf-8")
    model = sf.read_xmile(path)
    name = next(v.name for v in model.variables if v.name.startswith("note"))
    assert "\n" in name  # the name did carry the newline into the model
    run = model.simulate()
    assert not marker.exists()
    np.testing.assert_allclose(run["s"].values, expected_decay(0.2)[0])
    np.testing.assert_allclose(run[name].values, [0, 1, 2, 3, 4])
    assert_only_intended(model.compile())
    assert not marker.exists()
