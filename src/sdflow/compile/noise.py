"""Random draws of Vensim's RANDOM functions: a stream per run, drawn anew at every step.

The generated code calls `draw` (`draw_scalar` on the single-run path) for every hidden
variable holding a draw (`sdflow.expr.nodes.Noise`). Draws are counter-based: each is a
hash (SplitMix64's finaliser) of the run's seed, the run's index in the call, the draw's
stream (its variable and Vensim's stream ID), the time step and the element. So

- the same seed gives the same numbers, and each run of a batch has its own stream;
- the numbers do not depend on how the runs are split into blocks, on the code path, or
  on how often a step is evaluated (Runge-Kutta stages, saving): one draw per time step
  and run, as Vensim draws once per time step;
- a scenario keeps the draws of every variable it keeps (common random numbers), and
  adding a random variable changes no other variable's draws.

The uniform number ``u`` in (0, 1) becomes a value of the distribution through its
inverse distribution function restricted to ``[F(minimum), F(maximum)]``: the truncated
distribution Vensim's documentation describes ("truncation occurs after the output has
been stretched and shifted"), without rejection, and monotone in ``u``, so a scenario
that moves a mean moves each draw smoothly. Vensim's own generator (a Mersenne Twister)
is not reproduced: the statistics are Vensim's, the individual numbers are not.

Examples
--------
>>> mem = {"noise": (1, 0)}  # seed 1, first run 0
>>> a = draw(mem, 7, 3, 4, (), "uniform", 0.0, 10.0)
>>> b = draw(mem, 7, 3, 4, (), "uniform", 0.0, 10.0)
>>> bool((a == b).all()), bool(((0 <= a) & (a <= 10)).all()), a.shape
(True, True, (4,))
>>> bool((draw(mem, 7, 4, 4, (), "uniform", 0.0, 10.0) != a).all())  # the next step
True
"""

from __future__ import annotations

import numpy as np

#: Vensim's NOISE SEED when a model sets none (Vensim's documentation).
DEFAULT_SEED = 4487556

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of 64-bit words that scatters every bit."""
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


def _run_keys(seed: int, first_run: int, n: int, stream: int) -> np.ndarray:
    """``(n, 1)`` words naming the stream of each run (the same at every step)."""
    with np.errstate(over="ignore"):
        key = _mix(np.array([seed % 2 ** 64], np.uint64) * _GOLDEN + np.uint64(stream))
        runs = np.arange(first_run, first_run + n, dtype=np.uint64)[:, None]
        return _mix(key ^ (runs * _GOLDEN))


def _step_uniforms(run_keys: np.ndarray, step: int, size: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        per_step = _mix(run_keys ^ (np.uint64(step) * _M2 + _GOLDEN))
        elements = np.arange(1, size + 1, dtype=np.uint64)[None, :]
        bits = _mix(per_step ^ (elements * _M1))
    return ((bits >> _S11).astype(float) + 0.5) * 2.0 ** -53


def uniforms(seed: int, first_run: int, n: int, stream: int, step: int,
             size: int) -> np.ndarray:
    """``(n, size)`` numbers uniform on the open interval (0, 1), fixed by the arguments."""
    return _step_uniforms(_run_keys(seed, first_run, n, stream), step, size)


def draw(mem: dict, stream: int, step: int, n: int, shape: tuple, dist: str, *args):
    """Draws of ``dist`` shaped ``(n, *shape)`` at time step ``step``.

    ``mem["noise"]`` holds ``(seed, first run)`` of the batch (the default seed and run 0
    without it); ``args`` are the distribution's parameters, minimum and maximum first,
    each a number or an array that broadcasts to ``(n, *shape)``.
    """
    seed, first_run = mem.get("noise", (DEFAULT_SEED, 0))
    # the runs' keys hold for the whole run; a step is evaluated several times
    # (Runge-Kutta stages, saving) but hashed once
    kept = mem.setdefault("noise draws", {})
    keys, last_step, u = kept.get(stream, (None, None, None))
    if keys is None or keys.shape[0] != n:
        keys = _run_keys(seed, first_run, n, stream)
    if last_step != step or u is None or u.shape[0] != n:
        size = int(np.prod(shape, dtype=int))
        u = _step_uniforms(keys, step, size).reshape((n,) + tuple(shape))
    kept[stream] = (keys, step, u)
    values = [np.broadcast_to(np.asarray(a, float), u.shape) for a in args]
    with np.errstate(all="ignore"):
        return _DISTRIBUTIONS[dist](u, *values)


_MASK = 2 ** 64 - 1


def _mix_int(x: int) -> int:
    """`_mix` on a Python int (the same bits, without numpy's per-call cost)."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def draw_scalar(mem: dict, stream: int, step: int, dist: str, *args) -> float:
    """`draw` of one run without dimensions, as a float (the single-run path): the same
    number as `draw` gives that run."""
    seed, first_run = mem.get("noise", (DEFAULT_SEED, 0))
    kept = mem.setdefault("noise scalar draws", {})
    last = kept.get(stream)
    if last is not None and last[0] == step:
        u = last[1]
    else:
        golden, m1, m2 = int(_GOLDEN), int(_M1), int(_M2)
        key = _mix_int(((seed % 2 ** 64) * golden + stream) & _MASK)
        run = _mix_int(key ^ ((first_run * golden) & _MASK))
        bits = _mix_int(_mix_int(run ^ ((step * m2 + golden) & _MASK)) ^ m1)
        u = ((bits >> 11) + 0.5) * 2.0 ** -53
        kept[stream] = (step, u)
    with np.errstate(all="ignore"):
        return float(_DISTRIBUTIONS[dist](u, *(float(a) for a in args)))


def _clip(x, lo, hi):
    """``x`` kept within [lo, hi] (np.clip is several times slower on single numbers)."""
    return np.minimum(np.maximum(x, lo), hi)


def _between(u, a, b):
    """A probability between ``a`` and ``b`` (both probabilities), ``u`` of the way."""
    return a + u * np.maximum(b - a, 0.0)


def _uniform(u, lo, hi):
    return lo + u * (hi - lo)


def _normal(u, lo, hi, mean, std):
    from scipy import special  # not at import: scipy.special costs ~0.3 s
    wide = std > 0
    scale = np.where(wide, std, 1.0)
    za, zb = (lo - mean) / scale, (hi - mean) / scale
    # sample the lower tail (mirrored when the window lies above the mean): the
    # distribution function keeps its digits there
    flip = za > 0
    a, b = np.where(flip, -zb, za), np.where(flip, -za, zb)
    z = special.ndtri(_between(u, special.ndtr(a), special.ndtr(b)))
    z = np.where(flip, -z, z)
    return _clip(np.where(wide, mean + std * z, mean), lo, hi)


def _exponential(u, lo, hi, shift, stretch):
    wide = stretch > 0
    scale = np.where(wide, stretch, 1.0)

    def cdf(v):
        return -np.expm1(-np.maximum((v - shift) / scale, 0.0))

    p = _between(u, cdf(lo), cdf(hi))
    return _clip(np.where(wide, shift - stretch * np.log1p(-p), shift), lo, hi)


def _poisson(u, lo, hi, mean, shift, stretch):
    from scipy import special  # not at import: scipy.special costs ~0.3 s
    from scipy.stats import poisson  # scipy.stats takes a while to import: only when used
    wide = stretch > 0
    scale = np.where(wide, stretch, 1.0)
    first = np.maximum(np.ceil((lo - shift) / scale), 0.0)   # fewest events allowed
    last = np.floor((hi - shift) / scale)                    # most events allowed
    below = np.where(first > 0, special.pdtr(np.maximum(first - 1, 0.0), mean), 0.0)
    p = _between(u, below, special.pdtr(np.maximum(last, 0.0), mean))
    events = _clip(poisson.ppf(p, mean), first, np.maximum(last, first))
    return _clip(np.where(wide, shift + stretch * events, shift), lo, hi)


def _triangular(u, lo, hi, start, peak, end):
    width = np.where(end > start, end - start, 1.0)
    rise = np.where(peak > start, peak - start, 0.0)
    fall = np.where(end > peak, end - peak, 0.0)

    def cdf(v):
        v = _clip(v, start, end)
        up = np.where(rise > 0, (v - start) ** 2 / (width * np.where(rise > 0, rise, 1.0)), 0)
        down = 1.0 - np.where(fall > 0, (end - v) ** 2 / (width * np.where(fall > 0, fall,
                                                                           1.0)), 0)
        return np.where(v <= peak, up, down)

    p = _between(u, cdf(lo), cdf(hi))
    at_peak = rise / width
    value = np.where(p < at_peak, start + np.sqrt(p * width * rise),
                     end - np.sqrt((1.0 - p) * width * fall))
    return _clip(np.where(end > start, value, start), lo, hi)


def _beta(u, lo, hi, alpha, beta, shift, stretch):
    from scipy import special  # not at import: scipy.special costs ~0.3 s
    wide = stretch > 0
    scale = np.where(wide, stretch, 1.0)

    def cdf(v):
        return special.betainc(alpha, beta, _clip((v - shift) / scale, 0.0, 1.0))

    p = _between(u, cdf(lo), cdf(hi))
    return _clip(np.where(wide, shift + stretch * special.betaincinv(alpha, beta, p), shift),
                   lo, hi)


def _binomial(u, lo, hi, probability, trials, shift, stretch):
    from scipy.stats import binom
    wide = stretch > 0
    scale = np.where(wide, stretch, 1.0)
    trials = np.floor(trials)
    first = _clip(np.ceil((lo - shift) / scale), 0.0, trials)   # fewest successes allowed
    last = _clip(np.floor((hi - shift) / scale), 0.0, trials)   # most successes allowed
    below = np.where(first > 0, binom.cdf(first - 1, trials, probability),
                     0.0)
    p = _between(u, below, binom.cdf(last, trials, probability))
    successes = _clip(binom.ppf(p, trials, probability), first, np.maximum(last, first))
    return _clip(np.where(wide, shift + stretch * successes, shift), lo, hi)


def _standard(u, lo, hi, shift, stretch, cdf, sf, ppf, isf):
    """``shift + stretch * x`` for ``x`` of a standard distribution (its distribution
    function ``cdf``, survival function ``sf`` and their inverses), truncated to
    [lo, hi] by restricting the inverse. A window in the upper half is sampled through
    the survival function, whose digits hold there (as `_normal` mirrors the normal)."""
    wide = stretch > 0
    scale = np.where(wide, stretch, 1.0)
    a = np.maximum((lo - shift) / scale, 0.0)
    b = np.maximum((hi - shift) / scale, 0.0)
    upper = cdf(a) > 0.5
    below = _between(u, cdf(a), cdf(b))
    above = sf(a) - u * np.maximum(sf(a) - sf(b), 0.0)
    x = np.where(upper, isf(np.where(upper, above, 0.5)), ppf(np.where(upper, 0.5, below)))
    return _clip(np.where(wide, shift + stretch * x, shift), lo, hi)


def _gamma(u, lo, hi, order, shift, stretch):
    from scipy import special  # not at import: scipy.special costs ~0.3 s
    # Vensim: "GAMMA with order O", exponential at order 1; an order below 1 is warned
    # about and taken as 1. Scaled by 1/order to mean 1, as the exponential (see
    # sdflow.dsl.random_draws.random_gamma)
    k = np.maximum(order, 1.0)
    return _standard(u, lo, hi, shift, stretch,
                     lambda x: special.gammainc(k, k * x),
                     lambda x: special.gammaincc(k, k * x),
                     lambda p: special.gammaincinv(k, p) / k,
                     lambda q: special.gammainccinv(k, q) / k)


def _weibull(u, lo, hi, shape, shift, stretch):
    from scipy import special  # not at import: scipy.special costs ~0.3 s
    # Vensim: "WEIBULL with shape S starting at 0 with mean 1": the unit-scale Weibull
    # divided by its mean gamma(1 + 1/S)
    good = shape > 0
    s = np.where(good, shape, 1.0)
    g = special.gamma(1.0 + 1.0 / s)

    def power(x):
        return (np.maximum(x, 0.0) * g) ** s

    value = _standard(u, lo, hi, shift, stretch,
                      lambda x: -np.expm1(-power(x)),
                      lambda x: np.exp(-power(x)),
                      lambda p: (-np.log1p(-p)) ** (1.0 / s) / g,
                      lambda q: (-np.log(q)) ** (1.0 / s) / g)
    return np.where(good, value, np.nan)


def _negative_binomial(u, lo, hi, probability, successes, shift, stretch):
    from scipy.stats import nbinom
    # Vensim: the number of trials, from N on, until the N-th success of probability
    # P; scipy's nbinom counts the failures before it, so trials = N + failures
    wide = stretch > 0
    scale = np.where(wide, stretch, 1.0)
    n = np.floor(successes)
    first = np.maximum(np.ceil((lo - shift) / scale), n) - n   # fewest failures allowed
    last = np.floor((hi - shift) / scale) - n                  # most failures allowed
    below = np.where(first > 0, nbinom.cdf(first - 1, n, probability), 0.0)
    p = _between(u, below, nbinom.cdf(np.maximum(last, 0.0), n, probability))
    failures = _clip(nbinom.ppf(p, n, probability), first, np.maximum(last, first))
    return _clip(np.where(wide, shift + stretch * (n + failures), shift), lo, hi)


_DISTRIBUTIONS = {"uniform": _uniform, "normal": _normal, "exponential": _exponential,
                  "poisson": _poisson, "triangular": _triangular, "beta": _beta,
                  "binomial": _binomial, "gamma": _gamma, "weibull": _weibull,
                  "negative_binomial": _negative_binomial}
