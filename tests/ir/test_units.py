"""The unit check (pint): equations must agree with declared units, flows must be in stock
units per time unit, and messages name the variable and both units."""

from __future__ import annotations

import pytest

import sdflow as sf


def model() -> sf.Model:
    return sf.Model("u", start=0, stop=4, dt=1, time_units="year")


def check_error(m) -> str:
    with pytest.raises(sf.UnitError) as info:
        m.check()
    return str(info.value)


def test_consistent_units_pass_including_conversions():
    m = model()
    price = m.const("price", 2.0, units="yuan/widget")
    sales = m.const("sales", 5.0, units="widget/month")
    m.aux("revenue", price * sales * m.const("months per year", 12, units="month/year"),
          units="yuan/year")
    stock = m.stock("cash", initial=0.0, units="yuan")
    m.flow("income", m["revenue"], sink=stock, units="yuan/year")
    m.aux("scaled", 0.5 * stock + 1, units="yuan")  # numbers adapt to their context
    m.aux("ratio", stock / stock, units="dmnl")
    assert m.check().ok


def test_flow_must_be_stock_units_per_time_unit():
    m = model()
    x = m.stock("x", initial=1.0, units="widget")
    m.flow("inflow", m.const("c", 1.0, units="widget"), sink=x, units="widget")
    message = check_error(m)
    assert "'x': flow 'inflow' is in widget but a flow of this stock must be in " \
           "widget / year" in message


def test_declared_units_disagree_with_the_equation():
    m = model()
    a = m.const("a", 1.0, units="person")
    b = m.const("b", 1.0, units="widget")
    m.aux("total", a + b, units="person")
    message = check_error(m)
    assert "'total': '+' mixes person with widget" in message


def test_aux_declared_units_against_inferred():
    m = model()
    m.aux("speed", m.const("d", 3.0, units="km") / m.const("t", 1.0, units="hour"),
          units="widget")
    assert "'speed': is declared in widget but its equation gives kilometer / hour" in \
        check_error(m)


def test_stock_initial_value_units():
    m = model()
    m.stock("x", initial=m.const("start", 1.0, units="person"), units="widget")
    assert "'x': stock in widget starts from a value in person" in check_error(m)


@pytest.mark.parametrize("equation, units, fragment", [
    (lambda m, w, s: sf.exp(w), None, "exp() of widget; its argument must be dimensionless"),
    (lambda m, w, s: sf.min(w, m.time), None, "min() mixes widget with year"),
    (lambda m, w, s: sf.if_then_else(m.time > 1, w, m.time), None,
     "if_then_else()'s two branches mixes widget with year"),
    (lambda m, w, s: sf.step(w, w), None, "step() takes times in year, got widget"),
    (lambda m, w, s: sf.ramp(s, 1, 3), "widget/year",
     "is declared in widget / year but its equation gives widget"),
    (lambda m, w, s: sf.ramp(s, w, 3), None, "ramp() takes times in year, got widget"),
    (lambda m, w, s: sf.pulse(w, 1), None, "pulse() takes times in year, got widget"),
    (lambda m, w, s: sf.xidz(w, m.time, w), None,
     "xidz()'s quotient and fallback value mixes widget / year with widget"),
    (lambda m, w, s: sf.zidz(w, m.time), "widget", "its equation gives widget / year"),
    (lambda m, w, s: w ** m.time, None, "raises widget to a variable power"),
    (lambda m, w, s: w > m.time, None, "a comparison mixes widget with year"),
    (lambda m, w, s: sf.smooth(w, 2), "year", "its equation gives widget"),
    (lambda m, w, s: sf.delay_fixed(w, 2, w), "year", "its equation gives widget"),
])
def test_builtin_unit_rules(equation, units, fragment):
    m = model()
    w = m.const("w", 1.0, units="widget")
    s = m.const("s", 1.0, units="widget/year")
    m.aux("bad", equation(m, w, s), units=units)
    message = check_error(m)
    assert message.startswith("'bad': "), message
    assert fragment in message


@pytest.mark.parametrize("equation, units", [
    (lambda m, w, s: sf.ramp(s, 1, 3), "widget"),
    (lambda m, w, s: sf.step(w, 2), "widget"),
    (lambda m, w, s: sf.xidz(w, m.time, s), "widget/year"),
    (lambda m, w, s: sf.sqrt(w * w), "widget"),
    (lambda m, w, s: sf.trend(w, m.const("avg", 2, units="year"), 0), "1/year"),
    # numbers given as TREND/FORECAST times count in the model's time units (Vensim:
    # TREND is a fraction per time unit, FORECAST is in the input's units)
    (lambda m, w, s: sf.trend(w, 2, 0), "1/year"),
    (lambda m, w, s: sf.forecast(w, 2, 3), "widget"),
    (lambda m, w, s: sf.forecast(w, m.const("avg", 2, units="year"), 3), "widget"),
    (lambda m, w, s: sf.smooth(w, 2), "widget"),
    (lambda m, w, s: sf.pulse_train(1, 1, 2, 3), "dmnl"),
])
def test_builtin_units_that_agree(equation, units):
    m = model()
    w = m.const("w", 1.0, units="widget")
    s = m.const("s", 1.0, units="widget/year")
    m.aux("good", equation(m, w, s), units=units)
    assert m.check().ok


def test_unreadable_units_name_the_variable():
    m = model()
    m.const("odd", 1.0, units="widget//year")
    with pytest.raises(sf.UnitError, match="'odd': cannot read units 'widget//year'"):
        m.check()


def test_new_unit_words_become_base_units():
    m = model()
    m.const("people", 3.0, units="person")
    m.const("money", 3.0, units="100 million yuan")
    assert m.check().ok


def test_a_model_without_units_skips_the_pass_but_lookup_units_are_checked(monkeypatch):
    """Without declared units nothing can disagree, so the pass is skipped (and pint's
    registry is not built: tests/test_imports.py); units declared only on a lookup still
    count as declared."""
    from sdflow.ir.units import UnitPass
    checked = []
    monkeypatch.setattr(UnitPass, "_check_node", lambda self, node: checked.append(node.name))
    m = sf.Model("plain", start=0, stop=2, dt=1)
    x = m.stock("x", initial=1.0)
    m.flow("inflow", sf.if_then_else(x > 2, 0, 1), sink=x)
    assert m.check().ok and checked == []
    monkeypatch.undo()

    effect = m.lookup("effect", x=[0, 10], y=[0, 1], x_units="year")
    m.aux("odd", effect(x > 1))  # a comparison (dimensionless) where years are expected
    assert "lookup 'effect' takes year but gets dimensionless" in check_error(m)


def test_registry_built_from_pints_disk_cache_reads_units_alike(tmp_path):
    """The registry keeps pint's parsed definitions in ``$SDFLOW_CACHE_DIR/pint``; a new
    process building from that cache reads units as one building from pint's file."""
    import json
    import os
    import subprocess
    import sys
    script = ("import json; from sdflow.units import registry; u = registry(); "
              "q = (u.Quantity(1.0, 'mile/hour').to('meter/second'), u.parse_units('degF/minute')); "
              "print(json.dumps([q[0].magnitude, str(q[1]), u._diskcache is not None]))")
    env = {**os.environ, "SDFLOW_CACHE_DIR": str(tmp_path)}
    runs = [json.loads(subprocess.run([sys.executable, "-c", script], env=env, check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert runs[0][0] == 0.44704  # 1609.344 m / 3600 s, exact by definition
    pickles = list((tmp_path / "pint").rglob("*.pickle"))
    assert pickles and runs[1][2]  # the first process wrote the cache, the second read it
    for path in pickles:  # as a reader sees a file another process is still writing
        path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])
    damaged = json.loads(subprocess.run([sys.executable, "-c", script], env=env,
                                        check=True, capture_output=True, text=True).stdout)
    assert damaged[:2] == runs[0][:2] and damaged[2] is False  # built from pint's file
