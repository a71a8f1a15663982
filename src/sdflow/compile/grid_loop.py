"""The time loop over a grid as generated source, for any explicit Runge-Kutta tableau.

The scalar path's fused loop (`sdflow.compile.fused`) and the numba backend
(`sdflow.compile.numba_backend`) both run whole simulations in generated code; both get
their time loop here, from the same Butcher tableau the numpy loop of `sdflow.solve`
steps with, so the three cannot drift apart. The generated loop does, in the same order
of floating-point operations, what `sdflow.solve.solvers.ExplicitRungeKutta.step` does
with ``combine_floats``: stage ``i`` sets each stock to ``y + h_i0 k_0 + h_i1 k_1 + ...``
(zero coefficients left out), the step to ``y + h_0 k_0 + ...``, with ``h = dt * a``
scaled as ``tableau.scale_source`` writes it.

The loop reads the grid from ``_times``, ``_dts`` and ``_save`` (every step's time, step
size and whether it is saved) and ``_last`` (the index of the last step); its own names
start with "_", which no identifier made from model text does
(`sdflow.compile.identifiers.python_identifier`).
"""

from __future__ import annotations

from typing import Sequence


def grid_loop_lines(tableau, stocks: Sequence[str], stage: Sequence[str],
                    rest: Sequence[str], rates: Sequence[str], save: Sequence[str],
                    fail: str, complex_check: bool = False) -> list[str]:
    """Source lines (indented from column 0) of the loop over the steps of a grid.

    Parameters
    ----------
    tableau : sdflow.solve.solvers.ButcherTableau
        The method: ``a``, ``b``, ``c`` as fractions, and ``scale_source``.
    stocks : list of str
        The state variables, local names holding plain floats.
    stage : list of str
        Lines computing what the rates need, at time ``t`` (input builtins read
        ``t_input``, held at the start of the step) from the stocks.
    rest : list of str
        Lines computing the other saved variables, at saved steps only.
    rates : list of str
        The rate expression of each stock.
    save : list of str
        Lines storing the outputs of a saved step.
    fail : str
        The statement run when a stock is not finite (a return).
    complex_check : bool
        Also fail on complex values (Python floats turn complex, numba's do not).

    Examples
    --------
    >>> from sdflow.solve.solvers import HEUN
    >>> print("\\n".join(grid_loop_lines(HEUN, ["x"], ["out = 0.1 * x"], [],
    ...                                  ["-out"], ["keep(x)"], "return None")))
    for k in range(_last + 1):
        _t0 = _times[k]
        t = _t0
        t_input = t
        dt = _dts[k]
        _check = x
        if _check - _check != 0:
            return None
        out = 0.1 * x
        _k0_0 = -out
        if _save[k]:
            keep(x)
        if k == _last:
            break
        _y_0 = x
        x = _y_0 + dt * _k0_0
        t = _t0 + dt
        out = 0.1 * x
        _k1_0 = -out
        _h_1_2 = dt / 2
        x = _y_0 + _h_1_2 * _k0_0 + _h_1_2 * _k1_0
    """
    body = ["_t0 = _times[k]", "t = _t0", "t_input = t", "dt = _dts[k]"]
    if stocks:  # a sum is NaN if a term is NaN or terms are infinite
        bad = "_check - _check != 0" + (" or type(_check) is complex" if complex_check else "")
        body += [f"_check = {' + '.join(stocks)}", f"if {bad}:", f"    {fail}"]
    body += list(stage)
    body += [f"_k0_{i} = {rate}" for i, rate in enumerate(rates)]
    body += ["if _save[k]:"] + [f"    {line}" for line in list(rest) + list(save)]
    body += ["if k == _last:", "    break"]
    if stocks:
        body += _step_lines(tableau, stocks, stage, rates)
    return ["for k in range(_last + 1):"] + [f"    {line}" for line in body]


def _step_lines(tableau, stocks, stage, rates) -> list[str]:
    """The stages after the first and the new state, from the tableau."""
    base = [f"_y_{i}" for i in range(len(stocks))] if tableau.stages > 1 else list(stocks)
    lines = [f"{y} = {s}" for y, s in zip(base, stocks) if y != s]
    for i in range(1, tableau.stages):
        lines += _coefficients(tableau, tableau.a[i])
        lines += [f"{s} = {_combination(tableau, y, j, tableau.a[i])}"
                  for j, (s, y) in enumerate(zip(stocks, base))]
        lines.append(f"t = _t0 + {tableau.scale_source('dt', tableau.c[i])}"
                     if tableau.c[i] else "t = _t0")
        lines += list(stage)
        lines += [f"_k{i}_{j} = {rate}" for j, rate in enumerate(rates)]
    lines += _coefficients(tableau, tableau.b)
    lines += [f"{s} = {_combination(tableau, y, j, tableau.b)}"
              for j, (s, y) in enumerate(zip(stocks, base))]
    return lines


def _coefficient_name(tableau, coefficient) -> str:
    if coefficient == 1:
        return "dt"
    sign = "m" if coefficient < 0 else ""
    return f"_h_{sign}{abs(coefficient.numerator)}_{coefficient.denominator}"


def _coefficients(tableau, weights) -> list[str]:
    """``_h_1_2 = dt / 2``... once a stage for each weight other than 0 and 1."""
    seen = dict.fromkeys(w for w in weights if w and w != 1)
    return [f"{_coefficient_name(tableau, w)} = {tableau.scale_source('dt', w)}"
            for w in seen]


def _combination(tableau, y: str, j: int, weights) -> str:
    terms = [f"{_coefficient_name(tableau, w)} * _k{i}_{j}"
             for i, w in enumerate(weights) if w]
    return " + ".join([y] + terms)


def grid_loop_calls(tableau, n_state: int, evaluate: str, fail: str) -> list[str]:
    """Source lines (indented from column 0) of the loop over the steps of a grid that
    calls one derivative function per stage, the state in an array.

    The array twin of `grid_loop_lines` for compiled code (the numba backend): the state
    is the array ``_s`` of ``n_state`` floats, each stage's rates go to an array ``_k0``,
    ``_k1``... (``_y`` keeps the state at the start of the step), and the equations are
    written once, in the function that ``evaluate`` calls, instead of once per stage. It
    does the same floating-point operations in the same order as `grid_loop_lines`.

    Parameters
    ----------
    tableau : sdflow.solve.solvers.ButcherTableau
        The method.
    n_state : int
        Length of the state ``_s`` (the caller allocates ``_s``, ``_y`` and one array per
        stage, ``_k0``...).
    evaluate : str
        The call computing the rates, with the fields ``{t}`` (the stage's time),
        ``{k}`` (the array of its rates) and ``{save}`` (whether it also stores the
        saved values: ``_save[k]`` at the first stage, ``_never`` at the others, a False
        the caller computes: numba would compile the function once more for the literal
        ``False``). Input builtins read the start of the step, ``_t0``.
    fail : str
        The statement run when the state is not finite (a return).

    Examples
    --------
    >>> from sdflow.solve.solvers import HEUN
    >>> print("\\n".join(grid_loop_calls(HEUN, 1, "f({t}, {k}, {save})", "return False")))
    for k in range(_last + 1):
        _t0 = _times[k]
        dt = _dts[k]
        _check = 0.0
        for _j in range(1):
            _check += _s[_j]
        if _check - _check != 0:
            return False
        f(_t0, _k0, _save[k])
        if _save[k]:
            _row += 1
        if k == _last:
            break
        for _j in range(1):
            _y[_j] = _s[_j]
        for _j in range(1):
            _s[_j] = _y[_j] + dt * _k0[_j]
        f(_t0 + dt, _k1, _never)
        _h_1_2 = dt / 2
        for _j in range(1):
            _s[_j] = _y[_j] + _h_1_2 * _k0[_j] + _h_1_2 * _k1[_j]
    """
    def each(line: str) -> list[str]:
        return [f"for _j in range({n_state}):", f"    {line}"]

    body = ["_t0 = _times[k]", "dt = _dts[k]"]
    if n_state:  # a sum is NaN if a term is NaN or terms are infinite (as grid_loop_lines)
        body += ["_check = 0.0"] + each("_check += _s[_j]")
        body += ["if _check - _check != 0:", f"    {fail}"]
    body.append(evaluate.format(t="_t0", k="_k0", save="_save[k]"))
    body += ["if _save[k]:", "    _row += 1", "if k == _last:", "    break"]
    if n_state:
        base = "_y" if tableau.stages > 1 else "_s"
        if tableau.stages > 1:
            body += each("_y[_j] = _s[_j]")
        for i in range(1, tableau.stages):
            body += _coefficients(tableau, tableau.a[i])
            body += each(f"_s[_j] = {_array_combination(tableau, base, tableau.a[i])}")
            t = f"_t0 + {tableau.scale_source('dt', tableau.c[i])}" if tableau.c[i] else "_t0"
            body.append(evaluate.format(t=t, k=f"_k{i}", save="_never"))
        body += _coefficients(tableau, tableau.b)
        body += each(f"_s[_j] = {_array_combination(tableau, base, tableau.b)}")
    return ["for k in range(_last + 1):"] + [f"    {line}" for line in body]


def _array_combination(tableau, y: str, weights) -> str:
    terms = [f"{_coefficient_name(tableau, w)} * _k{i}[_j]"
             for i, w in enumerate(weights) if w]
    return " + ".join([f"{y}[_j]"] + terms)
