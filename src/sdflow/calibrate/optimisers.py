"""Optimisers that evaluate candidate parameter sets as batches of runs.

* `least_squares_fit`: ``scipy.optimize.least_squares`` (trust region reflective, bounds).
  Each trial point is simulated in one batch of ``1 + 2k`` runs with the central-difference
  points of its Jacobian, which is kept for scipy's following ``jac`` call (a rejected
  trial point wastes its ``2k`` extra runs, but they ride in the same batch, where they
  cost little). Likelihood payoffs are fitted by re-weighting the series with their
  estimated scales until the scales settle (the maximum of the concentrated likelihood).
  A payoff without residuals (a custom log-likelihood) is minimised by L-BFGS-B instead,
  its value and central-difference gradient one batch.
* `differential_evolution_fit`: scipy's differential evolution with ``vectorized=True``
  and ``updating="deferred"``: a whole generation is one batch. The population and the
  random generator are checkpointed every generation; a resumed search ends where the
  uninterrupted one does.
* `multistart`: least squares from several seeded starting points, all advancing together:
  each start runs scipy in its own thread and `SharedBatches` merges the starts' requests
  into one batch per iteration. Each finished start is checkpointed.
"""

from __future__ import annotations

import copy
import inspect
import threading
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize

from .batching import SharedBatches
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
        #: replaces ``problem.predict`` (the starts of a multistart share batches)
        self.predict = None

    def sharing(self, predict) -> "Evaluator":
        """A copy that simulates through ``predict``, with its own copy of the payoff
        (whose estimated scales change during a fit)."""
        clone = copy.copy(self)
        clone.payoff = copy.copy(self.payoff)
        clone.predict = predict
        return clone

    def full(self, z: np.ndarray) -> np.ndarray:
        """Complete rows ``(n, k)`` from free values ``(n, k_free)``."""
        z = np.atleast_2d(z)
        theta = np.empty((z.shape[0], len(self.problem.labels)))
        theta[:, self.free] = z
        for j, value in self.fixed.items():
            theta[:, j] = value
        return theta

    def simulate(self, z):
        predict = self.predict or self.problem.predict
        out = predict(self.full(z))
        if self.progress is not None:
            self.progress(evaluations=self.problem.evaluations)
        return out

    def residuals(self, z) -> np.ndarray:
        return self.payoff.residuals(self.simulate(z))

    def nll(self, z) -> np.ndarray:
        return self.payoff.nll(self.simulate(z))

    def difference_points(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``2k`` central-difference points around ``z`` (within the bounds) and the
        width of each difference."""
        z = np.asarray(z, float)
        k = len(z)
        h = np.cbrt(np.finfo(float).eps) * np.maximum(np.abs(z), 1e-3 * (self.upper - self.lower))
        up = np.minimum(z + h, self.upper)
        down = np.maximum(z - h, self.lower)
        points = np.repeat(z[None, :], 2 * k, axis=0)
        points[np.arange(k), np.arange(k)] = up
        points[k + np.arange(k), np.arange(k)] = down
        return points, up - down

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """Central differences of the residuals, all ``2k`` points simulated as one batch."""
        points, width = self.difference_points(z)
        r = self.residuals(points)
        k = len(width)
        return ((r[:k] - r[k:]) / width[:, None]).T

    def residuals_and_jacobian(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Residuals at ``z`` and their Jacobian from one batch of ``1 + 2k`` runs."""
        points, width = self.difference_points(z)
        r = self.residuals(np.vstack([np.asarray(z, float)[None, :], points]))
        k = len(width)
        return r[0], ((r[1:k + 1] - r[k + 1:]) / width[:, None]).T

    def nll_and_gradient(self, z: np.ndarray) -> tuple[float, np.ndarray]:
        """The payoff at ``z`` and its central-difference gradient from one batch."""
        points, width = self.difference_points(z)
        f = self.nll(np.vstack([np.asarray(z, float)[None, :], points]))
        k = len(width)
        return float(f[0]), (f[1:k + 1] - f[k + 1:]) / width


class _JacobianCache:
    """``fun`` and ``jac`` for ``least_squares`` from one batch per trial point: ``fun``
    simulates the point with its difference points and keeps the Jacobian for ``jac``."""

    def __init__(self, evaluator: Evaluator):
        self.evaluator = evaluator
        self.point = None
        self.jacobian = None

    def fun(self, z):
        r, self.jacobian = self.evaluator.residuals_and_jacobian(z)
        self.point = np.array(z, float)
        return r

    def jac(self, z):
        if self.point is None or not np.array_equal(self.point, z):
            self.fun(z)
        return self.jacobian


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
    if not payoff.has_residuals:
        return _minimize_fit(evaluator, z, options, start)
    nfev, message = 0, ""
    likelihood = payoff.estimates_scales
    if likelihood:
        payoff.update_sigma(evaluator.simulate(z))
    for _ in range(8 if likelihood else 1):
        previous = payoff.sigma.copy()
        cache = _JacobianCache(evaluator)
        result = optimize.least_squares(
            cache.fun, z, jac=cache.jac,
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


def _minimize_fit(evaluator: Evaluator, z: np.ndarray, options: dict, start: int) -> Fit:
    """L-BFGS-B on the payoff itself, for payoffs without residuals."""
    result = optimize.minimize(
        evaluator.nll_and_gradient, z, jac=True, method="L-BFGS-B",
        bounds=list(zip(evaluator.lower, evaluator.upper)),
        options={"maxfun": options.get("max_nfev", 200), "ftol": options.get("ftol", 1e-10),
                 "gtol": options.get("gtol", 1e-10)})
    return Fit([float(v) for v in result.x], float(evaluator.nll(result.x)[0]),
               int(result.nfev), str(result.message), start)


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
    points = start_points(evaluator.problem, starts, seed)
    todo = [i for i in range(starts) if i not in done]
    shared = SharedBatches(evaluator.predict or evaluator.problem.predict, todo)
    lock, failures = threading.Lock(), []

    def run(i: int) -> None:
        try:
            if progress is not None:
                progress(stage=f"least squares, start {i + 1}/{starts}")
            fit = least_squares_fit(evaluator.sharing(lambda theta: shared.request(i, theta)),
                                    points[i], options, start=i)
            with lock:
                done[i] = fit
                checkpoint.put("starts", [done[j].to_json() for j in sorted(done)])
            if progress is not None:
                progress(stage=f"least squares, start {i + 1}/{starts} finished")
        except BaseException as error:
            failures.append(error)
            shared.stop(error)
        finally:
            shared.leave(i)

    threads = [threading.Thread(target=run, args=(i,), name=f"start {i}") for i in todo]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException as error:       # Ctrl-C reaches this thread: stop the others
        shared.stop(error)
        for thread in threads:
            thread.join()
        raise
    if failures:
        raise failures[0]
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
