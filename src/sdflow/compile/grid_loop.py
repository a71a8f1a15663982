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
