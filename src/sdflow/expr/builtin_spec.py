"""What a builtin is: the records of the registry `sdflow.expr.builtins`, and the printing
forms they hold.

Printing forms (``numpy``, ``scalar``, ``numba``, ``xmile``) are either a function name,
called with the arguments, or a template for `render`: ``{0}``, ``{1}``... are the
printed arguments (``{0!w}`` parenthesised by the caller's rule), ``{args}`` all of them
separated by commas, ``{t}`` the time the function reads, ``{n}`` a reduced dimension's
length; XMILE forms of functions of time also have ``{dt}`` (the model's time step) and
``{small}`` (Vensim's zero, which the engine compares times with). Templates come from the registry only; text read from model files never reaches
them.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class Builtin:
    """One elementwise builtin: a `sdflow.expr.nodes.Call` of ``name``.

    Attributes
    ----------
    name : str
        The DSL name (``sf.<name>``) and the ``func`` of its `Call` nodes.
    params : tuple of str
        The wrapper's parameters; ``"end=None"`` is optional (left out of the node when
        not given). Ignored for ``fold`` builtins, whose wrapper is ``(*args, over=None)``.
    doc : str
        The wrapper's docstring.
    units : str
        The unit rule: a key of `sdflow.ir.units.UnitPass.RULES`.
    numpy, scalar : str
        How the batched (numpy arrays) and the scalar (floats) code print it.
    numba : str or None
        The scalar form numba needs where it differs from ``scalar``.
    vensim : str or None
        Vensim's name (``"PULSE TRAIN"``), or its operator when ``operator``; None if
        Vensim has no such function.
    xmile : str or None
        The XMILE form written by `sdflow.io.xmile_equations`; None if XMILE has none.
    operator : bool
        Vensim and XMILE write it as an infix operator (``=``, ``<>``).
    conditions : tuple of int
        Positions of arguments that are conditions (refused as Python bools).
    fold : bool
        A function of two or more values (MIN, MAX): nested binary `Call` nodes, or a
        `Reduction` of the same name with ``over=``.
    reads_time : bool
        Reads the simulation time (STEP, PULSE, RAMP): printed with ``{t}`` and ``dt``,
        and its value jumps at given times.
    slope : str or None
        How it moves with its arguments, for structural link polarity: a key of
        `sdflow.analyse.polarity.SignReader.RULES`, or None when the tree alone fixes no
        sign.

    Examples
    --------
    >>> from sdflow.expr.builtins import BUILTINS
    >>> ramp = BUILTINS["ramp"]
    >>> ramp.params, ramp.required, ramp.arity, ramp.vensim, ramp.reads_time
    (('slope', 'start', 'end=None'), 2, 3, 'RAMP', True)
    """

    name: str
    params: tuple
    doc: str
    units: str
    numpy: str
    scalar: str
    numba: Optional[str] = None
    vensim: Optional[str] = None
    xmile: Optional[str] = None
    operator: bool = False
    conditions: tuple = ()
    fold: bool = False
    reads_time: bool = False
    slope: Optional[str] = None

    @property
    def arity(self) -> int:
        """How many arguments a `Call` node of it has at most (2 for a fold)."""
        return 2 if self.fold else len(self.params)

    @property
    def required(self) -> int:
        """How many arguments a `Call` node of it has at least."""
        return 2 if self.fold else sum("=" not in p for p in self.params)


@dataclass(frozen=True)
class Reduction:
    """A reduction of an expression over one dimension: a `sdflow.expr.nodes.Reduce`.

    ``numpy`` is called with the array and ``axis=``; ``xmile`` is a template of the
    printed argument ``{0}`` (and the dimension's length ``{n}``); ``vensim`` is Vensim's
    name (``VMIN``), or None. ``doc`` is the docstring of the wrapper ``sf.<name>(x,
    over)``, or None where a `Builtin` of the same name (``fold``) has the wrapper.
    ``increasing``: the result rises with each element (link polarity reads it).
    """

    name: str
    numpy: str
    vensim: Optional[str] = None
    xmile: Optional[str] = None
    doc: Optional[str] = None
    increasing: bool = True


class _Template(string.Formatter):
    """`str.format` with ``!w`` (the caller's parenthesising) and no argument left out."""

    def __init__(self, wrap: Callable[[str], str]):
        self.wrap = wrap

    def convert_field(self, value, conversion):
        return self.wrap(value) if conversion == "w" else super().convert_field(value,
                                                                              conversion)

    def check_unused_args(self, used_args, args, kwargs):
        if "args" not in used_args:
            unused = [i for i in range(len(args)) if i not in used_args]
            if unused:
                raise ValueError(f"the form has no place for argument {unused[0] + 1} of "
                                 f"{len(args)}")


def render(form: str, args, wrap: Callable[[str], str] = str, **fields) -> str:
    """The text of ``form`` (a function name or a template) applied to printed ``args``.

    Raises `ValueError` when a template has no place for one of the arguments (RAMP's end
    in XMILE's two-argument RAMP), so an argument is never dropped silently.

    Examples
    --------
    >>> render("np.exp", ["x"]), render("rt.ramp({t}, {args})", ["a", "b"], t="t")
    ('np.exp(x)', 'rt.ramp(t, a, b)')
    >>> render("({0!w} == {1!w})", ["a + b", "c"], wrap=lambda c: f"({c})")
    '((a + b) == (c))'
    >>> render("RAMP({0}, {1})", ["s", "t0", "t1"])
    Traceback (most recent call last):
    ...
    ValueError: the form has no place for argument 3 of 3
    """
    args = list(args)
    if "{" not in form:
        return f"{form}({', '.join(args)})"
    return _Template(wrap).format(form, *args, args=", ".join(args), **fields)


def vensim_key(name: str) -> str:
    """A Vensim function name as PySD's parser spells it (``"PULSE TRAIN"`` ->
    ``"pulse_train"``).

    Examples
    --------
    >>> vensim_key("IF THEN ELSE")
    'if_then_else'
    """
    return "_".join(name.lower().split())
