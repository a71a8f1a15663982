"""Vensim's RANDOM functions: a new number at every time step of every run.

``simulate(seed=...)`` picks the runs' streams (each run of a batch has its own; the same
seed gives the same numbers); ``stream`` is Vensim's stream ID (draws with different IDs
are independent); ``dims`` are the dimensions the draws vary over, by default those the
variable is declared with. Each function returns a `sdflow.expr.nodes.Noise` node, which
the model graph moves into a hidden variable and the compiler draws from the run's stream
(`sdflow.compile.noise`).

These are not entries of the builtin registry (`sdflow.expr.builtins`): a draw carries
per-run state (the run's seed and index, the time step, a stream named after its
variable) that no pure elementwise printing form can express; `sdflow.expr.random_draws`
declares their distributions once instead, as the builtins with memory live apart in
`sdflow.dsl.stateful`.
"""

from __future__ import annotations

from ..expr.nodes import Expr, Noise

__all__ = ["random_beta", "random_binomial", "random_exponential", "random_gamma",
           "random_negative_binomial", "random_normal", "random_poisson", "random_triangular",
           "random_uniform", "random_weibull"]


def _noise(dist: str, args, stream, dims) -> Expr:
    if isinstance(stream, Expr) or not isinstance(stream, (int, float)) \
            or isinstance(stream, bool):
        raise TypeError(f"random_{dist}: stream={stream!r} must be a number (a stream ID, "
                        "e.g. 0 or 7), not a model expression")
    return Noise(dist, args, float(stream), None if dims is None else tuple(dims))


def random_uniform(minimum, maximum, stream: float = 0, dims=None) -> Expr:
    """A number uniform between ``minimum`` and ``maximum``, drawn at every time step
    (Vensim RANDOM UNIFORM).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=100, dt=1)
    >>> u = m.aux("u", sf.random_uniform(2, 4))
    >>> runs = m.simulate(n=200, seed=1)
    >>> bool(runs["u"].min() >= 2), bool(runs["u"].max() <= 4)
    (True, True)
    >>> round(float(runs["u"].mean()), 1)
    3.0
    """
    return _noise("uniform", (minimum, maximum), stream, dims)


def random_normal(minimum, maximum, mean, std, stream: float = 0, dims=None) -> Expr:
    """A normal number of ``mean`` and ``std``, truncated to ``[minimum, maximum]``, drawn
    at every time step (Vensim RANDOM NORMAL).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=100, dt=1)
    >>> region = m.dim("region", ["north", "south"])
    >>> shock = m.aux("shock", sf.random_normal(-1, 1, 0, 2), dims=[region])
    >>> run = m.simulate(seed=3)
    >>> bool(run["shock"].min() >= -1), bool(run["shock"].max() <= 1)
    (True, True)
    """
    return _noise("normal", (minimum, maximum, mean, std), stream, dims)


def random_exponential(minimum, maximum, shift=0.0, stretch=1.0, stream: float = 0,
                       dims=None) -> Expr:
    """``shift + stretch * e`` for ``e`` exponential of mean 1, truncated to
    ``[minimum, maximum]`` (Vensim RANDOM EXPONENTIAL).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> wait = m.aux("wait", sf.random_exponential(0, 100, shift=1, stretch=2))
    """
    return _noise("exponential", (minimum, maximum, shift, stretch), stream, dims)


def random_poisson(minimum, maximum, mean, shift=0.0, stretch=1.0, stream: float = 0,
                   dims=None) -> Expr:
    """``shift + stretch * k`` for ``k`` Poisson of ``mean``, truncated to
    ``[minimum, maximum]`` (Vensim RANDOM POISSON).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> arrivals = m.aux("arrivals", sf.random_poisson(0, 50, 4))
    >>> values = m.simulate(n=5, seed=2)["arrivals"].values
    >>> bool((values == values.round()).all())
    True
    """
    return _noise("poisson", (minimum, maximum, mean, shift, stretch), stream, dims)


def random_triangular(minimum, maximum, start, peak, end, stream: float = 0,
                      dims=None) -> Expr:
    """A triangular number between ``start`` and ``end`` peaking at ``peak``, truncated to
    ``[minimum, maximum]`` (Vensim RANDOM TRIANGULAR).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> delay = m.aux("delay", sf.random_triangular(0, 10, 1, 2, 5))
    """
    return _noise("triangular", (minimum, maximum, start, peak, end), stream, dims)


def random_beta(minimum, maximum, alpha, beta, shift=0.0, stretch=1.0, stream: float = 0,
                dims=None) -> Expr:
    """``shift + stretch * b`` for ``b`` beta-distributed on [0, 1] with parameters
    ``alpha`` and ``beta``, truncated to ``[minimum, maximum]`` (Vensim RANDOM BETA).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> share = m.aux("share", sf.random_beta(0, 1, 2, 5))
    """
    return _noise("beta", (minimum, maximum, alpha, beta, shift, stretch), stream, dims)


def random_binomial(minimum, maximum, probability, trials, shift=0.0, stretch=1.0,
                    stream: float = 0, dims=None) -> Expr:
    """``shift + stretch * k`` for ``k`` successes in ``trials`` trials of ``probability``,
    truncated to ``[minimum, maximum]`` (Vensim RANDOM BINOMIAL).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> hits = m.aux("hits", sf.random_binomial(0, 20, 0.3, 20))
    """
    return _noise("binomial", (minimum, maximum, probability, trials, shift, stretch), stream,
                  dims)


def random_gamma(minimum, maximum, order, shift=0.0, stretch=1.0, stream: float = 0,
                 dims=None) -> Expr:
    """``shift + stretch * g`` for ``g`` gamma-distributed of shape ``order`` and mean 1,
    truncated to ``[minimum, maximum]`` (Vensim RANDOM GAMMA).

    Vensim's documentation (fn_random): "RANDOM GAMMA(m,x,O,h,r,s) GAMMA with order O".
    Its page of sensitivity distributions describes the same draw as a gamma of that
    order with mean 1, which at order 1 is RANDOM EXPONENTIAL ("starting at 0 with mean
    1"); an order below 1 is taken as 1, as Vensim does after a warning. So ``g`` has
    variance ``1 / order`` and the draw has mean ``shift + stretch`` before truncation.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=100, dt=1)
    >>> service = m.aux("service", sf.random_gamma(0, 1000, 4, stretch=10))
    >>> runs = m.simulate(n=200, seed=1)
    >>> round(float(runs["service"].mean()))  # stretch times the mean 1
    10
    """
    return _noise("gamma", (minimum, maximum, order, shift, stretch), stream, dims)


def random_weibull(minimum, maximum, shape, shift=0.0, stretch=1.0, stream: float = 0,
                   dims=None) -> Expr:
    """``shift + stretch * w`` for ``w`` Weibull-distributed of ``shape`` and mean 1,
    truncated to ``[minimum, maximum]`` (Vensim RANDOM WEIBULL).

    Vensim's documentation (fn_random): "RANDOM WEIBULL(m,x,S,h,r,s) WEIBULL with shape
    S starting at 0 with mean 1": ``w`` is the Weibull of unit scale,
    ``P(w > x) = exp(-x ** shape)``, divided by its mean ``gamma(1 + 1/shape)``. At shape
    1 it is RANDOM EXPONENTIAL. A shape that is not positive gives NaN.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=100, dt=1)
    >>> life = m.aux("life", sf.random_weibull(0, 1000, 2, stretch=5))
    >>> runs = m.simulate(n=200, seed=1)
    >>> round(float(runs["life"].mean()))  # stretch times the mean 1
    5
    """
    return _noise("weibull", (minimum, maximum, shape, shift, stretch), stream, dims)


def random_negative_binomial(minimum, maximum, probability, successes, shift=0.0,
                             stretch=1.0, stream: float = 0, dims=None) -> Expr:
    """``shift + stretch * k`` for ``k`` the number of trials of ``probability`` up to
    and including the ``successes``-th success, truncated to ``[minimum, maximum]``
    (Vensim RANDOM NEGATIVE BINOMIAL).

    Vensim's documentation (fn_random): "RANDOM NEGATIVE BINOMIAL(m,x,P,N,h,r,s)
    NEGATIVE BINOMIAL N successes prob P", a whole number from N on (the trials needed
    for N successes), so ``k`` has mean ``successes / probability``. ``successes`` is
    rounded down to a whole number.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> calls = m.aux("calls", sf.random_negative_binomial(0, 1000, 0.25, 3))
    >>> values = m.simulate(n=20, seed=2)["calls"].values
    >>> bool((values >= 3).all()), bool((values == values.round()).all())
    (True, True)
    """
    return _noise("negative_binomial",
                  (minimum, maximum, probability, successes, shift, stretch), stream, dims)
