"""Optimisers that evaluate candidate parameter sets as batches of runs.

* `least_squares_fit`: ``scipy.optimize.least_squares`` (trust region reflective, bounds)
  whose Jacobian is a callable: all central-difference points of one Jacobian are one
  batch of ``2k`` runs. Likelihood payoffs are fitted by re-weighting the series with
  their estimated scales until the scales settle (the maximum of the concentrated
  likelihood).
* `differential_evolution_fit`: scipy's differential evolution with ``vectorized=True``
  and ``updating="deferred"``: a whole generation is one batch. The population and the
  random generator are checkpointed every generation; a resumed search ends where the
  uninterrupted one does.
* `multistart`: least squares from several seeded starting points; each finished start is
  checkpointed.
"""

from __future__ import annotations

import inspect
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize

from .checkpoint import Checkpoint
from .objectives import Payoff
from .problem import CalibrationProblem


@dataclass
class Fit:
    """One optimiser result: estimate ``x``, objective ``cost`` (see `Payoff.nll`).

    ``nfev`` counts the runs simulated, ``message`` is the optimiser's, ``start`` the
    index of the multistart point it came from.

    Examples
    --------
    >>> Fit([0.3], 0.0, 12, "converged").to_json()
    {'x': [0.3], 'cost': 0.0, 'nfev': 12, 'message': 'converged', 'start': 0}
    """

    x: list[float]
    cost: float
    nfev: int
    message: str
    start: int = 0

    def to_json(self) -> dict:
        return asdict(self)


class Evaluator:
    """Payoff values of candidate sets, some parameters optionally held fixed.

    Parameters
    ----------
    problem : CalibrationProblem
    payoff : Payoff
    fixed : dict of int to float, optional
        Parameter index -> value held fixed (profile likelihood); the other parameters
        are the free ones the methods take, shaped (n, k_free).
    progress : callable, optional
        Called with ``evaluations=`` after every batch.

    Examples
    --------
    >>> import numpy as np, sdflow as sf
    >>> from pathlib import Path
    >>> from sdflow.calibrate.spec import SeriesSpec, ParameterSpec
    >>> from sdflow.calibrate.data import ObservedSeries
    >>> m = sf.Model("decay", start=0, stop=4, dt=0.25)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("out", m.const("k", 0.1) * x, source=x)
    >>> t = np.arange(1.0, 5.0)
    >>> obs = ObservedSeries("x", t, (1 - 0.25 * 0.3) ** (4 * t)[:, None])  # Euler, k=0.3
    >>> problem = CalibrationProblem(m, [(SeriesSpec("x", Path(), "x"), obs)],
    ...                              [ParameterSpec("k", (0.0, 1.0))])
    >>> evaluator = Evaluator(problem, Payoff("wsse", [obs.values], [1.0]))
    >>> evaluator.nll(np.array([[0.1], [0.3]])).round(4).tolist()    # a batch of two
    [0.7842, 0.0]
    >>> fixed = Evaluator(problem, evaluator.payoff, fixed={0: 0.3})
    >>> fixed.full(np.empty((1, 0))).tolist()
    [[0.3]]
    """

    def __init__(self, problem: CalibrationProblem, payoff: Payoff,
                 fixed: dict[int, float] | None = None, progress=None):
        self.problem, self.payoff = problem, payoff
        self.fixed = dict(fixed or {})
        self.free = [j for j in range(len(problem.labels)) if j not in self.fixed]
        self.lower = problem.lower[self.free]
        self.upper = problem.upper[self.free]
        self.progress = progress

    def full(self, z: np.ndarray) -> np.ndarray:
        """Complete rows ``(n, k)`` from free values ``(n, k_free)``."""
        z = np.atleast_2d(z)
        theta = np.empty((z.shape[0], len(self.problem.labels)))
        theta[:, self.free] = z
        for j, value in self.fixed.items():
            theta[:, j] = value
        return theta

    def simulate(self, z):
        out = self.problem.predict(self.full(z))
        if self.progress is not None:
            self.progress(evaluations=self.problem.evaluations)
        return out

    def residuals(self, z) -> np.ndarray:
        return self.payoff.residuals(self.simulate(z))

    def nll(self, z) -> np.ndarray:
        return self.payoff.nll(self.simulate(z))

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """Central differences of the residuals, all ``2k`` points simulated as one batch."""
        z = np.asarray(z, float)
        k = len(z)
        h = np.cbrt(np.finfo(float).eps) * np.maximum(np.abs(z), 1e-3 * (self.upper - self.lower))
        up = np.minimum(z + h, self.upper)
        down = np.maximum(z - h, self.lower)
        points = np.repeat(z[None, :], 2 * k, axis=0)
        points[np.arange(k), np.arange(k)] = up
        points[k + np.arange(k), np.arange(k)] = down
        r = self.residuals(points)
        return ((r[:k] - r[k:]) / (up - down)[:, None]).T


def least_squares_fit(evaluator: Evaluator, z0, options: dict | None = None,
                      start: int = 0) -> Fit:
    """Fit by ``scipy.optimize.least_squares`` with a batched Jacobian.

    Examples
    --------
    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> evaluator = decay_evaluator()
    >>> fit = least_squares_fit(evaluator, [0.1])
    >>> round(fit.x[0], 6)
    0.3
    """
    options = {"xtol": 1e-10, "ftol": 1e-10, "gtol": 1e-10, "max_nfev": 200,
               **(options or {})}
    z = np.clip(np.asarray(z0, float), evaluator.lower, evaluator.upper)
    payoff = evaluator.payoff
    nfev, message = 0, ""
    likelihood = payoff.kind in ("gaussian", "lognormal")
    if likelihood:
        payoff.update_sigma(evaluator.simulate(z))
    for _ in range(8 if likelihood else 1):
        previous = payoff.sigma.copy()
        result = optimize.least_squares(
            lambda v: evaluator.residuals(v)[0], z, jac=evaluator.jacobian,
            bounds=(evaluator.lower, evaluator.upper), x_scale=evaluator.upper - evaluator.lower,
            method="trf", **options)
        z, nfev, message = result.x, nfev + result.nfev, result.message
        if likelihood:
            # the scales at the new estimate; stop once a refit no longer moves them
            payoff.update_sigma(evaluator.simulate(z))
            if np.allclose(previous, payoff.sigma, rtol=1e-4):
                break
    cost = float(evaluator.nll(z)[0])
    return Fit([float(v) for v in z], cost, int(nfev), str(message), start)


def start_points(problem: CalibrationProblem, starts: int, seed: int) -> np.ndarray:
    """The first start is the spec's initial point; the others a seeded Latin hypercube.

    Returns
    -------
    ndarray, shape (starts, k)

    Examples
    --------
    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> evaluator = decay_evaluator()
    >>> points = start_points(evaluator.problem, 3, seed=0)
    >>> points.shape, float(points[0, 0])             # the model's value of k comes first
    ((3, 1), 0.1)
    """
    k = len(problem.labels)
    points = [problem.initial()]
    if starts > 1:
        from scipy.stats import qmc
        unit = qmc.LatinHypercube(d=k, seed=np.random.default_rng(seed)).random(starts - 1)
        points += list(problem.lower + unit * (problem.upper - problem.lower))
    return np.array(points)


def multistart(evaluator: Evaluator, starts: int, seed: int, options: dict | None,
               checkpoint: Checkpoint, progress=None) -> tuple[Fit, list[Fit]]:
    """Least squares from ``starts`` points; finished starts survive an interruption.

    Parameters
    ----------
    evaluator : Evaluator
    starts : int
        Number of starting points (see `start_points`).
    seed : int
        Seed of the Latin hypercube of the later starts.
    options : dict or None
        Passed to ``scipy.optimize.least_squares``.
    checkpoint : Checkpoint
        Finished starts are stored under ``"starts"`` and skipped on resume.
    progress : callable, optional
        Called with ``stage=`` before each start.

    Returns
    -------
    best : Fit
        The fit of lowest cost.
    fits : list of Fit
        Every start's fit, in order.

    Examples
    --------
    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> evaluator = decay_evaluator()
    >>> best, fits = multistart(evaluator, 2, 0, None, Checkpoint(None, "doc"))
    >>> len(fits), round(best.x[0], 6)
    (2, 0.3)
    """
    done = {f["start"]: Fit(**f) for f in checkpoint.get("starts", [])}
    for i, z0 in enumerate(start_points(evaluator.problem, starts, seed)):
        if i in done:
            continue
        if progress is not None:
            progress(stage=f"least squares, start {i + 1}/{starts}")
        done[i] = least_squares_fit(evaluator, z0, options, start=i)
        checkpoint.put("starts", [f.to_json() for f in done.values()])
    fits = [done[i] for i in sorted(done)]
    return min(fits, key=lambda f: f.cost), fits


def differential_evolution_fit(evaluator: Evaluator, seed: int, options: dict | None,
                               checkpoint: Checkpoint, progress=None) -> Fit:
    """Global search by differential evolution, one generation per batch, then a
    least-squares polish from the best member.

    After every generation the population, its payoffs and the state of the random
    generator are checkpointed; a resumed run restores all three, so it continues exactly
    where the interrupted one stopped and ends at the same optimum, bit for bit.

    Parameters
    ----------
    evaluator : Evaluator
    seed : int
        Seed of the ``numpy.random.Generator`` that drives the search.
    options : dict or None
        Settings of scipy's differential evolution (defaults: ``popsize=15, maxiter=200,
        tol=1e-8``); ``polish=False`` skips the least-squares polish.
    checkpoint : Checkpoint
        The search state is stored under ``"de"`` after every generation.
    progress : callable, optional
        Called with ``stage=`` and ``best=`` after every generation.

    Returns
    -------
    Fit

    Examples
    --------
    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> evaluator = decay_evaluator()
    >>> fit = differential_evolution_fit(evaluator, 0, {"popsize": 5, "maxiter": 5},
    ...                                  Checkpoint(None, "doc"))
    >>> round(fit.x[0], 6)
    0.3
    """
    options = {"popsize": 15, "maxiter": 200, "tol": 1e-8, "mutation": (0.5, 1.0),
               "recombination": 0.7, **(options or {})}
    polish = options.pop("polish", True)
    saved = checkpoint.get("de")
    if saved and saved.get("finished"):
        result = Fit(**saved["fit"])
    else:
        result = _evolve(evaluator, seed, options, checkpoint, saved, progress)
        checkpoint.put("de", {**checkpoint.get("de"), "finished": True,
                              "fit": result.to_json()})
    if not polish:
        return result
    if progress is not None:
        progress(stage="polishing the best member by least squares")
    polished = least_squares_fit(evaluator, result.x)
    return polished if polished.cost <= result.cost else result


def _evolve(evaluator: Evaluator, seed: int, options: dict, checkpoint: Checkpoint,
            saved: dict | None, progress) -> Fit:
    """Generations of scipy's differential evolution solver, checkpointed one by one.

    scipy's public ``differential_evolution`` can restart from a population only in
    parameter units, and the round trip through its unit scaling changes the last bits
    of the members; its solver class (the one that function runs) is driven here
    directly, so that its whole state between generations can be saved and restored: the
    population in unit scaling, the members' payoffs, the order of the index array it
    shuffles in place to pick mutation partners, and the random generator.
    """
    from scipy.optimize._differentialevolution import DifferentialEvolutionSolver

    maxiter = int(options.pop("maxiter"))
    rng = np.random.default_rng(seed)
    # scipy >= 1.15 names the generator `rng`; older versions took it as `seed`
    random = {"rng": rng} if "rng" in inspect.signature(
        DifferentialEvolutionSolver).parameters else {"seed": rng}
    solver = DifferentialEvolutionSolver(
        lambda zs: evaluator.nll(zs.T), list(zip(evaluator.lower, evaluator.upper)),
        vectorized=True, updating="deferred", polish=False, maxiter=maxiter,
        init="latinhypercube", **random, **options)
    generation = 0
    if saved:
        solver.population = np.array(saved["population"], float)
        solver.population_energies = np.array(saved["energies"], float)
        solver._random_population_index = np.array(saved["order"], int)
        rng.bit_generator.state = saved["rng"]
        generation = saved["nit"]
    members = len(solver.population)
    converged = generation > 0 and solver.converged()
    while generation < maxiter and not converged:
        next(solver)
        generation += 1
        checkpoint.put("de", {"nit": generation, "finished": False,
                              "population": solver.population.tolist(),
                              "energies": solver.population_energies.tolist(),
                              "order": solver._random_population_index.tolist(),
                              "rng": rng.bit_generator.state})
        if progress is not None:
            progress(stage=f"differential evolution, generation {generation}",
                     best=float(solver.population_energies[0]))
        converged = solver.converged()
    message = ("converged (spread of the population's payoffs below tol)" if converged else
               f"stopped after maxiter = {maxiter} generations")
    # the first population and every generation are one batch of `members` runs each
    return Fit([float(v) for v in solver.x], float(solver.population_energies[0]),
               members * (generation + 1), message)
