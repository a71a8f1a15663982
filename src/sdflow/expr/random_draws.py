"""The random distributions of Vensim's RANDOM functions, each declared once.

They are kept apart from the builtin registry (`sdflow.expr.builtins`) because a draw is
not a plain builtin: a `Builtin` is a pure function of its arguments, printed the same way
for every run as one expression (a numpy, scalar or numba form). A draw depends on the run
(its seed and its index in the batch), on the time step and on a random stream that names
the variable holding it; its stream ID is a number fixed when the model is built, not an
argument expression; and it varies over dimensions of its own. So it is a node of its own
kind (`sdflow.expr.nodes.Noise`), which the model graph moves into a hidden variable and
the compiler draws with per-run state (`sdflow.compile.noise`), as the builtins with
memory are `Stateful` nodes lowered to hidden stocks. The public functions
``sf.random_<dist>`` are in `sdflow.dsl.random_draws`.

A `RandomDraw` holds what the DSL, the node and the Vensim reader share: the parameters
after the minimum and maximum in Vensim's order (the stream ID comes last in Vensim and
is kept apart) and Vensim's name.

Examples
--------
>>> RANDOM_DRAWS["normal"].params, RANDOM_DRAWS["normal"].vensim
(('mean', 'std'), 'RANDOM NORMAL')
>>> RANDOM_DRAWS["poisson"].arity  # minimum, maximum, mean, shift, stretch
5
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["RANDOM_DRAWS", "RandomDraw"]


@dataclass(frozen=True)
class RandomDraw:
    """One distribution: ``sf.random_<dist>`` and Vensim's ``vensim``.

    ``params`` are the parameters after ``minimum`` and ``maximum``, in Vensim's order.
    """

    dist: str
    params: tuple
    vensim: str

    @property
    def arity(self) -> int:
        """How many values a draw takes: the minimum, the maximum and ``params``."""
        return 2 + len(self.params)


_DRAWS = {d.dist: d for d in (
    RandomDraw("uniform", (), "RANDOM UNIFORM"),
    RandomDraw("normal", ("mean", "std"), "RANDOM NORMAL"),
    RandomDraw("exponential", ("shift", "stretch"), "RANDOM EXPONENTIAL"),
    RandomDraw("poisson", ("mean", "shift", "stretch"), "RANDOM POISSON"),
    RandomDraw("triangular", ("start", "peak", "end"), "RANDOM TRIANGULAR"),
    RandomDraw("beta", ("alpha", "beta", "shift", "stretch"), "RANDOM BETA"),
    RandomDraw("binomial", ("probability", "trials", "shift", "stretch"), "RANDOM BINOMIAL"),
    RandomDraw("gamma", ("order", "shift", "stretch"), "RANDOM GAMMA"),
    RandomDraw("weibull", ("shape", "shift", "stretch"), "RANDOM WEIBULL"),
    RandomDraw("negative_binomial", ("probability", "successes", "shift", "stretch"),
               "RANDOM NEGATIVE BINOMIAL"),
)}

#: Every distribution of a random draw by name (the ``dist`` of `Noise` nodes).
RANDOM_DRAWS = MappingProxyType(_DRAWS)
