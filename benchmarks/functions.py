"""Every function PySD's Vensim and XMILE translators implement, run by PySD and sdflow.

Usage::

    python benchmarks/functions.py [--out docs/functions.md] [--only NAME]

The cases below list the functions of PySD 3.14's translators (its tables
``pysd.translators.vensim.vensim_structures.structures``,
``pysd.translators.xmile.xmile_structures.structures`` and
``pysd.builders.python.python_functions.functionspace``, and its documentation's tables
of supported functions), the operators, and the functions sdflow runs beyond them. Each
case is a tiny model (Vensim ``.mdl`` or XMILE ``.xmile``, with its data files) that
exercises one function; PySD and sdflow both run it, and the variables named in
``check`` are compared (relative 1e-9, absolute 1e-12). The outcome per engine is one
of:

- ``same numbers``: sdflow's series equal PySD's;
- ``differs``: both run and the numbers differ (the note says which is right);
- ``refused``: sdflow raises `UnsupportedFeatureError` or `ImportModelError`, whose
  message (shown) names the variable and the function;
- ``runs``: random draws (PySD draws from numpy's global generator, sdflow from its own
  streams, so single draws are not comparable; ``tests/io/test_vensim_random.py``
  checks the distributions), or PySD fails and sdflow's numbers are checked against the
  function's documented semantics by the test named in the note.

The table goes to ``docs/functions.md``; ``tests/io/test_function_coverage.py`` runs
every case again and checks the file is current. Every model is written to a scratch
folder, because PySD writes its translation beside the file it reads.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "functions.md"
RTOL, ATOL = 1e-9, 1e-12

VENSIM_CONTROL = """
INITIAL TIME = 0 ~~|
FINAL TIME = {stop} ~~|
TIME STEP = {dt} ~~|
SAVEPER = TIME STEP ~~|
"""

XMILE_FILE = """<?xml version="1.0" encoding="utf-8"?>
<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" version="1.0">
    <header><vendor>sdflow</vendor><product version="1">function coverage</product></header>
    <sim_specs method="Euler" time_units="Months">
        <start>0</start><stop>{stop}</stop><dt>{dt}</dt>
    </sim_specs>
    <dimensions>{dimensions}</dimensions>
    <model><variables>
{variables}
    </variables></model>
</xmile>
"""

#: A table of three columns, down and across, for the GET DIRECT / GET XLS functions
DATA_DOWN = "Time,Col1,Col2,Col3\n1,1,2,3\n2,4,5,6\n3,7,8,9\n"


@dataclass(frozen=True)
class Case:
    """One function exercised by a tiny model.

    ``model`` holds Vensim equations (``name = equation ~~|``) or XMILE variables
    (``name: equation``, one a line, or raw XML lines starting with ``<``); ``check`` the
    variables compared (all of them when empty: the left-hand sides); ``files`` data files
    written beside the model (``.xlsx`` files are written from CSV text); ``note`` what the
    reader should know (a known difference of PySD from Vensim, or the test that checks
    sdflow where PySD cannot run the function).
    """

    function: str
    language: str  # "Vensim" or "XMILE"
    model: str
    check: tuple = ()
    note: str = ""
    stop: float = 10
    dt: float = 0.25
    dimensions: str = ""
    files: dict = field(default_factory=dict)
    random: bool = False

    @property
    def key(self) -> str:
        return f"{self.language} {self.function}"


def V(function, model, check=(), note="", **kw) -> Case:  # noqa: N802 - a table row
    return Case(function, "Vensim", model, tuple(check), note, **kw)


def X(function, model, check=(), note="", **kw) -> Case:  # noqa: N802 - a table row
    return Case(function, "XMILE", model, tuple(check), note, **kw)


SUBS = "dim: A1, A2, A3, A4 ~~|\n"
VEC = SUBS + "vec[dim] = 3, -1, 4, 2 ~~|\n"

CASES = [
    # -- operators ---------------------------------------------------------------------
    V("+ - * /", "y = (Time + 2) * 3 / 4 - 1 ~~|"),
    V("^", "y = (Time + 1) ^ 0.5 + 2 ^ 3 ^ 0.5 - -2 ^ 2 ~~|",
      note="right-grouped, tighter than a number's sign, as Vensim"),
    V("unary - +", "y = -Time + (+3) ~~|"),
    V("=", "y = IF THEN ELSE(Time = 3, 1, 0) ~~|"),
    V("<>", "y = IF THEN ELSE(Time <> 3, 1, 0) ~~|"),
    V("< <= > >=", "y = IF THEN ELSE(Time < 3, 1, 0) + IF THEN ELSE(Time <= 3, 2, 0) + "
                   "IF THEN ELSE(Time > 7, 4, 0) + IF THEN ELSE(Time >= 7, 8, 0) ~~|"),
    V(":AND: :OR:", "y = IF THEN ELSE(Time > 2 :AND: Time < 5 :OR: Time > 8, 1, 0) ~~|"),
    V(":NOT:", "y = IF THEN ELSE(:NOT: Time > 4, 1, 0) ~~|"),
    # -- elementwise functions -----------------------------------------------------------
    V("ABS", "y = ABS(Time - 5) ~~|"),
    V("MIN", "y = MIN(Time, 4) ~~|"),
    V("MAX", "y = MAX(Time, 4) ~~|"),
    V("SQRT", "y = SQRT(Time) ~~|"),
    V("EXP", "y = EXP(Time / 4) ~~|"),
    V("LN", "y = LN(Time + 1) ~~|"),
    V("LOG", "y = LOG(Time + 1, 3) ~~|"),
    V("SIN", "y = SIN(Time) ~~|"),
    V("COS", "y = COS(Time) ~~|"),
    V("TAN", "y = TAN(Time / 10) ~~|"),
    V("ARCSIN", "y = ARCSIN(Time / 10 - 0.5) ~~|"),
    V("ARCCOS", "y = ARCCOS(Time / 10 - 0.5) ~~|"),
    V("ARCTAN", "y = ARCTAN(Time - 5) ~~|"),
    V("SINH", "y = SINH(Time / 5 - 1) ~~|"),
    V("COSH", "y = COSH(Time / 5 - 1) ~~|"),
    V("TANH", "y = TANH(Time / 5 - 1) ~~|"),
    V("POWER", "y = POWER(Time, 1.5) ~~|"),
    V("INTEGER", "y = INTEGER(Time - 5.3) ~~|", note="truncates towards 0"),
    V("QUANTUM", "y = QUANTUM(Time * 1.7 - 8, 0.5) ~~|"),
    V("MODULO", "y = MODULO(Time - 5.25, 2) ~~|"),
    V("IF THEN ELSE", "y = IF THEN ELSE(Time > 5, Time, -Time) ~~|"),
    V("XIDZ", "y = XIDZ(1, Time - 5, -7) ~~|"),
    V("ZIDZ", "y = ZIDZ(1, Time - 5) ~~|"),
    # -- functions of time ---------------------------------------------------------------
    V("STEP", "y = STEP(2, 3) ~~|"),
    V("PULSE", "y = PULSE(3, 2) ~~|"),
    V("PULSE (width 0)", "y = PULSE(6, 0) ~~|",
      note="Vensim's documentation: a width of 0 is one TIME STEP; PySD gives 0 throughout"),
    V("PULSE TRAIN", "y = PULSE TRAIN(1, 0.5, 2, 8) ~~|"),
    V("RAMP", "y = RAMP(2, 3, 7) + RAMP(1, 5, 1e9) ~~|"),
    V("GET TIME VALUE", "y = GET TIME VALUE(0, 2, 0) ~~|",
      note="PySD runs only relative to the current time in model units (0, offset, 0)"),
    V("GET TIME VALUE (clock)", "y = GET TIME VALUE(2, 0, 1) + Time ~~|",
      note="the computer's clock (here its year) would make runs irreproducible"),
    V("GET TIME VALUE (initial time)", "y = GET TIME VALUE(1, Time / 2, 0) ~~|",
      note="PySD refuses relativeto 1; sdflow: the initial time plus the offset, as "
           "Vensim's documentation states (tests/io/test_function_coverage.py; PySD's "
           "authors report Vensim 7.3.4 giving the current time instead, SDXorg/pysd#332)"),
    V("GET TIME VALUE (calendar)", "y = GET TIME VALUE(0, 0, 3) ~~|",
      note="calendar measures (here the month) need the model's base date"),
    V("control variables", "y = Time + TIME STEP + INITIAL TIME + FINAL TIME + SAVEPER ~~|"),
    # -- arrays --------------------------------------------------------------------------
    V("SUM", VEC + "y = SUM(vec[dim!] * Time) ~~|", check=("y",)),
    V("PROD", VEC + "y = PROD(vec[dim!] + Time) ~~|", check=("y",)),
    V("VMIN", VEC + "y = VMIN(vec[dim!] * (Time - 5)) ~~|", check=("y",)),
    V("VMAX", VEC + "y = VMAX(vec[dim!] * (Time - 5)) ~~|", check=("y",)),
    V("ELMCOUNT", SUBS + "y = ELMCOUNT(dim) * Time ~~|", check=("y",)),
    V("VECTOR SELECT", VEC + "sel[dim] = 1, 0, 2, 0.5 ~~|\n"
      "y = VECTOR SELECT(sel[dim!], vec[dim!] * Time, -9, 0, 0) ~~|", check=("y",)),
    V("VECTOR SORT ORDER", VEC + "y[dim] = VECTOR SORT ORDER(vec[dim] * (Time - 5), 1) "
      "~~|", check=("y",)),
    V("VECTOR RANK", VEC + "y[dim] = VECTOR RANK(vec[dim] * (Time - 5), 0) ~~|",
      check=("y",)),
    V("VECTOR REORDER", VEC + "order[dim] = VECTOR SORT ORDER(vec[dim] * (Time - 5), 0) "
      "~~|\ny[dim] = VECTOR REORDER(vec[dim] * Time, order[dim]) ~~|", check=("y",),
      note="PySD indexes with the order, so it runs only an order that VECTOR SORT ORDER "
           "gives (constants are floats)"),
    V("VECTOR REORDER (two dimensions)", "row: R1, R2 ~~|\ndim: A1, A2, A3 ~~|\n"
      "vec[row, dim] = 3, -1, 4; 2, 7, 1; ~~|\n"
      "order[row, dim] = VECTOR SORT ORDER(vec[row, dim] * (Time - 5), 1) ~~|\n"
      "y[row, dim] = VECTOR REORDER(vec[row, dim] * Time, order[row, dim]) ~~|",
      check=("y",)),
    V("INVERT MATRIX", "col: C1, C2, C3 ~~|\nrow: R1, R2, R3 ~~|\n"
      "mat[row, col] = 4, 1, 2; 1, 3, 0; 2, 0, 5; ~~|\n"
      "eye[row, col] = 1, 0, 0; 0, 1, 0; 0, 0, 1; ~~|\n"
      "y[row, col] = INVERT MATRIX(mat[row, col] + Time * eye[row, col]) ~~|",
      check=("y",), note="matrices of up to 4 rows"),
    V("ALLOCATE BY PRIORITY", "branch: Boston, Dayton, Fresno ~~|\n"
      "demand[branch] = 500, 300, 750 ~~|\npriority[branch] = 1, 2, 1 ~~|\n"
      "y[branch] = ALLOCATE BY PRIORITY(demand[branch], priority[branch], ELMCOUNT(branch),"
      " 1, 100 * Time) ~~|", check=("y",)),
    V("ALLOCATE AVAILABLE", "branch: Boston, Dayton, Fresno ~~|\npp: ptype, ppriority, "
      "pwidth, pextra ~~|\ndemand[branch] = 500, 300, 750 ~~|\n"
      "profile[branch, pp] = 1, 5, 2, 0; 1, 7, 2, 0; 1, 3, 2, 0; ~~|\n"
      "y[branch] = ALLOCATE AVAILABLE(demand[branch], profile[branch, ptype], 100 * Time) "
      "~~|", check=("y",)),
    # -- functions with memory ------------------------------------------------------------
    V("INTEG", "s = INTEG(f, 10) ~~|\nf = SIN(Time) - s / 5 ~~|"),
    V("INITIAL", "x = 3 + Time ~~|\ny = INITIAL(x) * Time ~~|", check=("y",)),
    V("ACTIVE INITIAL", "s = INTEG(f, y) ~~|\nf = y / 4 ~~|\n"
      "y = ACTIVE INITIAL(s * 0.1 + Time, 5) ~~|", check=("s", "y")),
    V("SAMPLE IF TRUE", "y = SAMPLE IF TRUE(MODULO(Time, 2) = 0, Time * Time, -1) ~~|"),
    V("DELAY1", "x = 3 + STEP(2, 3) ~~|\ny = DELAY1(x, 2) ~~|", check=("y",)),
    V("DELAY1I", "x = 3 + STEP(2, 3) ~~|\ny = DELAY1I(x, 2, 1) ~~|", check=("y",)),
    V("DELAY3", "x = 3 + STEP(2, 3) ~~|\ny = DELAY3(x, 2) ~~|", check=("y",)),
    V("DELAY3I", "x = 3 + STEP(2, 3) ~~|\ny = DELAY3I(x, 2, 1) ~~|", check=("y",)),
    V("DELAY N", "x = 3 + STEP(2, 3) ~~|\ny = DELAY N(x, 2, 1, 5) ~~|", check=("y",)),
    V("DELAY FIXED", "x = 3 + STEP(2, 3) ~~|\ny = DELAY FIXED(x, 1.5, 1) ~~|", check=("y",)),
    V("SMOOTH", "x = 3 + STEP(2, 3) ~~|\ny = SMOOTH(x, 2) ~~|", check=("y",)),
    V("SMOOTHI", "x = 3 + STEP(2, 3) ~~|\ny = SMOOTHI(x, 2, 1) ~~|", check=("y",)),
    V("SMOOTH3", "x = 3 + STEP(2, 3) ~~|\ny = SMOOTH3(x, 2) ~~|", check=("y",)),
    V("SMOOTH3I", "x = 3 + STEP(2, 3) ~~|\ny = SMOOTH3I(x, 2, 1) ~~|", check=("y",)),
    V("SMOOTH N", "x = 3 + STEP(2, 3) ~~|\ny = SMOOTH N(x, 2, 1, 4) ~~|", check=("y",)),
    V("TREND", "x = 3 + RAMP(1, 2, 6) ~~|\ny = TREND(x, 2, 0.1) ~~|", check=("y",)),
    V("FORECAST", "x = 3 + RAMP(1, 2, 6) ~~|\ny = FORECAST(x, 2, 3) ~~|", check=("y",)),
    # -- lookups, data and constants --------------------------------------------------------
    V("lookup call", "table([(0,0)-(10,5)], (0, 0), (4, 2), (10, 5)) ~~|\n"
      "y = table(Time * 1.5 - 2) ~~|", check=("y",), note="ends held beyond the table"),
    V("WITH LOOKUP", "y = WITH LOOKUP(Time, ([(0,0)-(10,5)], (0, 0), (4, 2), (8, 5))) "
      "~~|"),
    V("TABBED ARRAY", SUBS + "c[dim] = TABBED ARRAY(1\t2\t3\t4) ~~|\n"
      "y[dim] = c[dim] * Time ~~|", check=("y",)),
    V(":NA:", "y = IF THEN ELSE(Time > 5, :NA:, Time) ~~|",
      note=":NA: is -2^109 in both"),
    V("data variable (no source)", "y := ~~|", check=("y",)),
    V("GET DIRECT DATA", "y := GET DIRECT DATA('data.csv', ',', 'A', 'B2') ~~|",
      files={"data.csv": DATA_DOWN}, stop=4),
    V("GET DIRECT LOOKUPS", "table(GET DIRECT LOOKUPS('data.csv', ',', 'A', 'C2')) ~~|\n"
      "y = table(Time) ~~|", check=("y",), files={"data.csv": DATA_DOWN}, stop=4),
    V("GET DIRECT CONSTANTS", "c = GET DIRECT CONSTANTS('data.csv', ',', 'C3') ~~|\n"
      "y = c * Time ~~|", check=("y",), files={"data.csv": DATA_DOWN}, stop=4),
    V("GET DIRECT SUBSCRIPT", "dim: GET DIRECT SUBSCRIPT('data.csv', ',', 'B1', 'D1', '') "
      "~~|\nc[dim] = GET DIRECT CONSTANTS('data.csv', ',', 'B2*') ~~|\n"
      "y = SUM(c[dim!]) * Time ~~|", check=("y",), files={"data.csv": DATA_DOWN}, stop=4),
    V("GET XLS DATA", "y := GET XLS DATA('data.xlsx', 'Sheet1', 'A', 'B2') ~~|",
      files={"data.xlsx": DATA_DOWN}, stop=4),
    V("GET XLS LOOKUPS", "table(GET XLS LOOKUPS('data.xlsx', 'Sheet1', 'A', 'C2')) ~~|\n"
      "y = table(Time) ~~|", check=("y",), files={"data.xlsx": DATA_DOWN}, stop=4),
    V("GET XLS CONSTANTS", "c = GET XLS CONSTANTS('data.xlsx', 'Sheet1', 'C3') ~~|\n"
      "y = c * Time ~~|", check=("y",), files={"data.xlsx": DATA_DOWN}, stop=4),
    V("GET XLS SUBSCRIPT", "dim: GET XLS SUBSCRIPT('data.xlsx', 'Sheet1', 'B1', 'D1', '')"
      " ~~|\nc[dim] = GET XLS CONSTANTS('data.xlsx', 'Sheet1', 'B2*') ~~|\n"
      "y = SUM(c[dim!]) * Time ~~|", check=("y",), files={"data.xlsx": DATA_DOWN}, stop=4),
    # -- other ------------------------------------------------------------------------------
    V("GAME", "y = GAME(Time * 2) ~~|",
      note="outside a game, the value of its argument"),
    V("RANDOM 0 1", "y = RANDOM 0 1() ~~|", random=True),
    V("RANDOM UNIFORM", "y = RANDOM UNIFORM(0, 10, 0) ~~|", random=True),
    V("RANDOM NORMAL", "y = RANDOM NORMAL(-1, 3, 1, 2, 0) ~~|", random=True),
    V("RANDOM EXPONENTIAL", "y = RANDOM EXPONENTIAL(0, 10, 1, 2, 0) ~~|", random=True),
    V("RANDOM POISSON", "y = RANDOM POISSON(0, 20, 4, 0, 1, 0) ~~|", random=True),
    V("RANDOM TRIANGULAR", "y = RANDOM TRIANGULAR(0, 10, 1, 2, 5, 0) ~~|", random=True),
    V("RANDOM BETA", "y = RANDOM BETA(0, 10, 2, 5, 1, 3, 0) ~~|", random=True),
    V("RANDOM BINOMIAL", "y = RANDOM BINOMIAL(0, 20, 0.3, 20, 0, 1, 0) ~~|", random=True),
    V("RANDOM GAMMA", "y = RANDOM GAMMA(0, 100, 3, 1, 2, 0) ~~|", random=True),
    V("RANDOM WEIBULL", "y = RANDOM WEIBULL(0, 100, 2, 1, 2, 0) ~~|", random=True),
    V("RANDOM NEGATIVE BINOMIAL", "y = RANDOM NEGATIVE BINOMIAL(0, 100, 0.3, 4, 0, 1, 0) ~~|",
      random=True),
    V("RANDOM LOOKUP", "shape((0,0),(1,1),(2,0)) ~~|\ny = RANDOM LOOKUP(shape, 0, 2, 0, 1, 0) "
      "~~|"),
    V("RANDOM PINK NOISE", "y = RANDOM PINK NOISE(0, 1, 2, 0) ~~|"),
    V("VECTOR LOOKUP", VEC + "y = VECTOR LOOKUP(vec[A1], Time, 0, 10, 0) ~~|",
      check=("y",), note="not in PySD; sdflow: tests/io/test_vensim_random.py against "
                         "Vensim's documentation"),
    *[V(f"LOOKUP {how}", "table([(0,0)-(10,5)], (0,0), (4,2), (10,5)) ~~|\n"
        f"y = LOOKUP {how}(table, Time * 1.5 - 2) ~~|", check=("y",),
        note="not in PySD; sdflow: Vensim's documentation (tests/io/test_function_coverage.py)")
      for how in ("EXTRAPOLATE", "BACKWARD", "FORWARD")],
    # -- XMILE -----------------------------------------------------------------------------
    X("+ - * / ^", "y: (TIME + 2) * 3 / 4 - 1 + (TIME + 1) ^ 0.5"),
    X("mod", "y: (TIME - 5.25) mod 2", note="PySD's grammar reads the operator in lower "
                                          "case only"),
    X("comparisons, and or not", "y: IF (TIME > 2 AND TIME < 5) OR NOT (TIME <> 8) THEN 1 "
                                 "ELSE 0"),
    X("IF THEN ELSE", "y: IF TIME > 5 THEN TIME ELSE -TIME"),
    X("ABS", "y: ABS(TIME - 5)"),
    X("MIN (two values)", "y: MIN(TIME, 4)"),
    X("MAX (two values)", "y: MAX(TIME, 4)"),
    X("MIN (one array)", "<aux name=\"v\"><dimensions><dim name=\"d\"/></dimensions>"
      "<eqn>TIME - 5</eqn></aux>\ny: MIN(v * v - 3) + MAX(v)", check=("y",),
      dimensions='<dim name="d"><elem name="a"/><elem name="b"/><elem name="c"/></dim>'),
    X("SQRT", "y: SQRT(TIME)"),
    X("EXP", "y: EXP(TIME / 4)"),
    X("LN", "y: LN(TIME + 1)"),
    X("SIN", "y: SIN(TIME)"),
    X("COS", "y: COS(TIME)"),
    X("TAN", "y: TAN(TIME / 10)"),
    X("ARCSIN", "y: ARCSIN(TIME / 10 - 0.5)"),
    X("ARCCOS", "y: ARCCOS(TIME / 10 - 0.5)"),
    X("ARCTAN", "y: ARCTAN(TIME - 5)"),
    X("INT", "y: INT(TIME - 5.3)"),
    X("PI", "y: PI() * TIME"),
    X("SAFEDIV", "y: SAFEDIV(1, TIME - 5) + SAFEDIV(1, TIME - 5, -7)"),
    X("STEP", "y: STEP(2, 3)"),
    X("RAMP", "y: RAMP(2, 3)"),
    X("RAMP (with end)", "y: RAMP(2, 3, 7)"),
    X("PULSE", "y: PULSE(2, 3)", note="magnitude / DT for one time step"),
    X("PULSE (train)", "y: PULSE(2, 3, 2)", note="magnitude / DT every interval"),
    X("INIT", "x: 3 + TIME\ny: INIT(x) * TIME", check=("y",)),
    X("stock", '<stock name="s"><eqn>10</eqn><inflow>f</inflow></stock>\n'
               "f: SIN(TIME) - s / 5", check=("s", "f")),
    X("DELAY", "x: 3 + STEP(2, 3)\ny: DELAY(x, 1.5, 1)", check=("y",)),
    X("DELAY (no initial value)", "x: 3 + STEP(2, 3)\ny: DELAY(x, 1.5)", check=("y",)),
    X("DELAY1", "x: 3 + STEP(2, 3)\ny: DELAY1(x, 2)", check=("y",)),
    X("DELAY1 (initial value)", "x: 3 + STEP(2, 3)\ny: DELAY1(x, 2, 1)", check=("y",)),
    X("DELAY3", "x: 3 + STEP(2, 3)\ny: DELAY3(x, 2, 1)", check=("y",)),
    X("DELAY3 (no initial value)", "x: 3 + STEP(2, 3)\ny: DELAY3(x, 2)", check=("y",)),
    X("DELAYN", "x: 3 + STEP(2, 3)\ny: DELAYN(x, 2, 5, 1)", check=("y",)),
    X("DELAYN (no initial value)", "x: 3 + STEP(2, 3)\ny: DELAYN(x, 2, 5)", check=("y",)),
    X("SMTH1", "x: 3 + STEP(2, 3)\ny: SMTH1(x, 2)", check=("y",)),
    X("SMTH1 (initial value)", "x: 3 + STEP(2, 3)\ny: SMTH1(x, 2, 1)", check=("y",)),
    X("SMTH3", "x: 3 + STEP(2, 3)\ny: SMTH3(x, 2, 1)", check=("y",)),
    X("SMTH3 (no initial value)", "x: 3 + STEP(2, 3)\ny: SMTH3(x, 2)", check=("y",)),
    X("SMTHN", "x: 3 + STEP(2, 3)\ny: SMTHN(x, 2, 4)", check=("y",)),
    X("SMTHN (initial value)", "x: 3 + STEP(2, 3)\ny: SMTHN(x, 2, 4, 1)", check=("y",)),
    X("TREND", "x: 3 + RAMP(1, 2)\ny: TREND(x, 2, 0.1)", check=("y",)),
    X("TREND (no initial trend)", "x: 3 + RAMP(1, 2)\ny: TREND(x, 2)", check=("y",)),
    X("FORCST", "x: 3 + RAMP(1, 2)\ny: FORCST(x, 2, 3)", check=("y",)),
    X("FORCST (initial trend)", "x: 3 + RAMP(1, 2)\ny: FORCST(x, 2, 3, 0.1)", check=("y",),
      note="PySD starts FORCST's average at input / (1 + trend), so its first trend is the "
           "one given divided by the averaging time; sdflow starts it as TREND does, "
           "input / (1 + trend * averaging time), so the first trend is the one given"),
    X("graphical function", '<aux name="y"><eqn>TIME * 1.5 - 2</eqn><gf>'
      '<xscale min="0" max="10"/><yscale min="0" max="5"/>'
      '<ypts>0,2,5</ypts></gf></aux>'),
    X("graphical function (extrapolate)", '<aux name="y"><eqn>TIME * 1.5 - 2</eqn>'
      '<gf type="extrapolate"><xscale min="0" max="10"/><yscale min="0" max="5"/>'
      '<ypts>0,2,5</ypts></gf></aux>',
      note="PySD holds the ends of a variable's own table whatever its type; XMILE "
           "continues the end segments, as sdflow does (tests/io/test_function_coverage.py)"),
    X("graphical function (xpts and xscale)", '<aux name="y"><eqn>TIME * 1.5 - 2</eqn>'
      '<gf><xscale min="0" max="10"/><yscale min="0" max="5"/><xpts>0,4,10</xpts>'
      '<ypts>0,2,5</ypts></gf></aux>',
      note="PySD spaces the points evenly over xscale and leaves xpts aside; XMILE places "
           "them at xpts, as sdflow does (tests/io/test_function_coverage.py)"),
    X("graphical function (discrete)", '<aux name="y"><eqn>TIME * 1.5 - 2</eqn>'
      '<gf type="discrete"><xscale min="0" max="10"/><yscale min="0" max="5"/>'
      '<ypts>0,2,5</ypts></gf></aux>',
      note="PySD interpolates a variable's own table whatever its type; XMILE's discrete "
           "table holds each point's value up to the next point, as sdflow does "
           "(tests/io/test_function_coverage.py)"),
    X("MOD (upper case)", "y: (TIME - 5.25) MOD 2",
      note="PySD's grammar reads mod in lower case only; XMILE's builtin names are "
           "case-insensitive (sdflow: tests/io/test_readers.py)"),
    X("LOOKUP", '<aux name="g"><eqn>0</eqn><gf><xscale min="0" max="10"/>'
      '<yscale min="0" max="5"/><ypts>0,2,5</ypts></gf></aux>\n'
      "y: LOOKUP(g, TIME * 1.5 - 2)", check=("y",),
      note="PySD takes the call for its own table structure; sdflow: the graphical "
           "function at x, as g(x) reads it (tests/io/test_readers.py)"),
    X("LOG10", "y: LOG10(TIME + 1)",
      note="not in PySD; sdflow: LN(x) / LN(10) (tests/io/test_function_coverage.py)"),
    X("STARTTIME STOPTIME", "y: (TIME - STARTTIME) / (STOPTIME - STARTTIME)",
      note="not in PySD; sdflow: the sim specs' start and stop "
           "(tests/io/test_function_coverage.py)"),
    X("DT", "y: DT * TIME",
      note="not in PySD; sdflow: the time step (tests/io/test_function_coverage.py)"),
    X("PREVIOUS", "x: TIME * TIME\ny: PREVIOUS(x, -1)", check=("y",),
      note="not in PySD; sdflow: x one time step ago (tests/io/test_function_coverage.py)"),
]


# -- running -----------------------------------------------------------------------------

def _xmile_variables(case: Case) -> str:
    lines = []
    for line in case.model.strip().splitlines():
        line = line.strip()
        if line.startswith("<"):
            lines.append(line)
        else:
            name, eqn = (part.strip() for part in line.split(":", 1))
            eqn = eqn.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            lines.append(f'<aux name="{name}"><eqn>{eqn}</eqn></aux>')
    return "\n".join("        " + line for line in lines)


def write_case(case: Case, folder: Path) -> Path:
    """The case's model file (and data files) in ``folder``."""
    for name, text in case.files.items():
        if name.endswith(".xlsx"):
            import io

            import pandas as pd
            pd.read_csv(io.StringIO(text)).to_excel(folder / name, sheet_name="Sheet1",
                                                    index=False)
        else:
            (folder / name).write_text(text)
    if case.language == "Vensim":
        path = folder / "model.mdl"
        path.write_text("{UTF-8}\n" + case.model.strip() + "\n"
                        + VENSIM_CONTROL.format(stop=case.stop, dt=case.dt))
    else:
        path = folder / "model.xmile"
        path.write_text(XMILE_FILE.format(stop=case.stop, dt=case.dt,
                                          dimensions=case.dimensions,
                                          variables=_xmile_variables(case)))
    return path


def checked(case: Case) -> list[str]:
    """The variables compared: ``check``, or every variable the model defines."""
    if case.check:
        return list(case.check)
    if case.language == "XMILE":
        names = []
        for line in case.model.strip().splitlines():
            line = line.strip()
            if line.startswith("<"):
                names.append(line.split('name="', 1)[1].split('"', 1)[0])
            else:
                names.append(line.split(":", 1)[0].strip())
        return names
    return [line.split(":=")[0].split("=")[0].strip() for line in
            case.model.strip().splitlines() if "=" in line]


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}"


def run_pysd(case: Case, path: Path):
    """PySD's series by column name, or the error it raised."""
    import pysd

    reader = pysd.read_vensim if case.language == "Vensim" else pysd.read_xmile
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = reader(str(path))
            frame = model.run(return_columns=checked(case))
    except Exception as error:  # noqa: BLE001 - any failure of the peer is an outcome
        return _short(error)
    return {str(c): frame[c].to_numpy(dtype=float) for c in frame.columns}


def run_sdflow(case: Case, path: Path):
    """sdflow's series for PySD's columns, or the error it raised."""
    from sdflow.errors import ImportModelError
    from sdflow.io import read_model

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = read_model(path)
            results = model.simulate()
    except ImportModelError as error:
        return error
    except Exception as error:  # noqa: BLE001 - anything else is a failure to report
        return RuntimeError(_short(error))
    return model, results


@dataclass
class Outcome:
    case: Case
    pysd: str       # "runs" or its error
    sdflow: str     # same numbers / differs / refused / runs / fails
    detail: str = ""

    def row(self) -> str:
        c = self.case
        note = "; ".join(x for x in (self.detail, c.note) if x)
        return f"| `{c.function}` | {c.language} | {self.pysd} | {self.sdflow} | {note} |"


def _expand(name: str, data) -> dict:
    """A variable of a sdflow run as PySD's columns (``name[A1, B2]``)."""
    if data.ndim == 1:
        return {name: data.values}
    dims = [d for d in data.dims if d not in ("time", "run")]
    data = data.transpose("time", *dims)
    out = {}
    for index in np.ndindex(*data.shape[1:]):
        labels = ", ".join(str(data[d].values[i]) for d, i in zip(dims, index))
        out[f"{name}[{labels}]"] = data.values[(slice(None),) + index]
    return out


def _column_key(column: str) -> str:
    """``y[A1, B2]`` and PySD's ``y[A1,B2]`` alike."""
    from sdflow.names import name_key

    return name_key(column.replace(", ", ","))


def run_case(case: Case) -> Outcome:
    """Run ``case`` with PySD and sdflow in a scratch folder and compare."""
    from sdflow.errors import ImportModelError
    from sdflow.names import name_key

    folder = Path(tempfile.mkdtemp(prefix="sdflow-functions-"))
    try:
        path = write_case(case, folder)
        peer = run_pysd(case, path)
        ours = run_sdflow(case, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    pysd_status = "runs" if isinstance(peer, dict) else "fails"
    pysd_detail = "" if isinstance(peer, dict) else f"PySD: {_trim(peer)}"
    if isinstance(ours, ImportModelError):
        said = f"sdflow: {_trim(ours.message)}"  # without the scratch file's name
        return Outcome(case, pysd_status, "refused",
                       "; ".join(x for x in (said, pysd_detail) if x))
    if isinstance(ours, RuntimeError):
        return Outcome(case, pysd_status, "fails", f"sdflow: {_trim(str(ours))}")
    model, results = ours
    series = {}
    ds = results.dataset
    by_key = {name_key(str(v)): str(v) for v in ds.data_vars}
    for name in checked(case):
        if name_key(name) not in by_key:
            return Outcome(case, pysd_status, "fails", f"sdflow saves no '{name}'")
        for column, values in _expand(name, ds[by_key[name_key(name)]]).items():
            series[_column_key(column)] = values
    if case.random:
        finite = all(np.all(np.isfinite(v)) for v in series.values())
        return Outcome(case, pysd_status, "runs" if finite else "fails",
                       "random draws: distributions checked by tests/io/test_vensim_random.py")
    if not isinstance(peer, dict):
        return Outcome(case, pysd_status, "runs", pysd_detail)
    worst = 0.0
    for column, theirs in peer.items():
        mine = series.get(_column_key(column))
        if mine is None or mine.shape != theirs.shape:
            return Outcome(case, pysd_status, "differs", f"no series like PySD's '{column}'")
        both_na = np.isnan(mine) & np.isnan(theirs)
        gap = np.abs(mine - theirs)[~both_na]
        scale = np.maximum(np.abs(theirs[~both_na]), 1.0)
        if gap.size and not np.all(gap <= ATOL + RTOL * np.abs(theirs[~both_na])):
            worst = max(worst, float(np.nanmax(gap / scale)))
    if worst:
        return Outcome(case, pysd_status, "differs", f"largest relative difference {worst:.2g}")
    return Outcome(case, pysd_status, "same numbers")


def _trim(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def summary(outcomes: list[Outcome]) -> str:
    """The counts in one sentence (the README quotes it; the test checks it is current)."""
    def named(status, pysd=None):
        return [o.case.function for o in outcomes if o.sdflow == status
                and (pysd is None or o.pysd == pysd)]
    same, differs, refused = named("same numbers"), named("differs"), named("refused")
    drawn = [o.case.function for o in outcomes if o.sdflow == "runs" and o.case.random]
    beyond = [o.case.function for o in outcomes if o.sdflow == "runs" and not o.case.random]
    return (f"of {len(outcomes)} cases, sdflow gives PySD's numbers in {len(same)}, "
            f"differs in {len(differs)} (each explained in the table), refuses "
            f"{len(refused)} naming the function and the variable ({', '.join(refused)}), "
            f"draws random numbers in {len(drawn)} and runs {len(beyond)} that PySD does "
            f"not ({', '.join(beyond)}).")


def render(outcomes: list[Outcome]) -> str:
    """docs/functions.md from the outcomes."""
    counts: dict = {}
    for o in outcomes:
        counts[o.sdflow] = counts.get(o.sdflow, 0) + 1
    pysd_runs = sum(o.pysd == "runs" for o in outcomes)
    lines = [
        "# Functions: PySD's set, run by PySD and by sdflow",
        "",
        "Every function PySD 3.14's Vensim and XMILE translators implement (and a few",
        "sdflow runs beyond them), each in a tiny model run by both engines and compared",
        f"(relative {RTOL:g}, absolute {ATOL:g}). Regenerate with",
        "`python benchmarks/functions.py`; `tests/io/test_function_coverage.py` runs every",
        "case again and fails when this file is out of date.",
        "",
        f"- cases: {len(outcomes)} ({sum(o.case.language == 'Vensim' for o in outcomes)} "
        f"Vensim, {sum(o.case.language == 'XMILE' for o in outcomes)} XMILE); "
        f"PySD runs {pysd_runs}",
        "- sdflow: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
        "",
        "In one sentence: " + summary(outcomes),
        "",
        "\"same numbers\": sdflow's series equal PySD's. \"refused\": sdflow stops with an",
        "error naming the variable and the function. \"runs\": random draws (not comparable",
        "draw by draw), or a function PySD does not run, checked by the test named.",
        "",
        "| function | language | PySD | sdflow | note |",
        "|---|---|---|---|---|",
    ]
    lines += [o.row() for o in outcomes]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", help="run the cases whose function contains this text "
                                       "and print them (the file is not written)")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if args.only is None or args.only.lower() in c.key.lower()]
    outcomes = [run_case(c) for c in cases]
    if args.only is not None:
        for o in outcomes:
            print(o.row())
        return 0
    from sdflow.files import atomic_write

    text = render(outcomes)
    atomic_write(args.out, lambda tmp: Path(tmp).write_text(text))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
