"""Run chunked work (an ensemble, a sensitivity design) here or on a Dask cluster,
resumably.

A job (`Ensemble`, `SensitivityRuns`) is split into numbered chunks, each computed by
``job.run_chunk(i)`` from the job alone (samples depend only on the seed and the chunk
number), so a cluster gives bit-for-bit the result of a single process. Tasks of a
worker that dies are computed again elsewhere (Dask reschedules them; a task that keeps
failing is submitted again up to ``attempts`` times). With an output directory each
finished chunk is written at once, and ``resume=True`` skips chunks already on disk
(after checking that they can be read) if ``job.describe()``, the fingerprint of the
job, is unchanged.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable, Protocol

import numpy as np
import xarray as xr

from ..errors import MissingDependencyError, SdflowError, SpecError
from . import portable
from .ensemble import Ensemble
from .sensitivity import SensitivityProblem, SensitivityRuns
from .store import ChunkStore, MemoryStore

Progress = Callable[[int, int, int], None]  # (chunks done, chunks in all, runs done)


class ChunkedJob(Protocol):
    """Work in numbered chunks, each computed from the job alone (see the module doc)."""

    @property
    def chunks(self) -> int: ...

    def chunk_runs(self, i: int) -> range: ...

    def run_chunk(self, i: int) -> xr.Dataset: ...

    def describe(self) -> str: ...


_WORKER_JOBS: dict[str, ChunkedJob] = {}
_WORKER_LOCK = threading.Lock()


def _chunk_task(payload: bytes, token: str, i: int) -> xr.Dataset:
    """One chunk, on a Dask worker; the unpickled job (and its compiled scenario models)
    is kept per worker process for the next chunks."""
    with _WORKER_LOCK:
        job = _WORKER_JOBS.get(token)
        if job is None:
            job = _WORKER_JOBS[token] = portable.loads(payload)
            if len(_WORKER_JOBS) > 4:  # a long-lived worker serving many jobs
                _WORKER_JOBS.pop(next(iter(_WORKER_JOBS)))
    return job.run_chunk(i)


def run_ensemble(ensemble: Ensemble, out_dir: str | Path | None = None, scheduler=None,
                 workers: int | None = None, resume: bool = False,
                 progress: Progress | None = None, attempts: int = 3,
                 lazy: bool = False, connect_timeout: float = 20.0,
                 report: Callable[[str], None] | None = None) -> xr.Dataset:
    """Run every chunk of ``ensemble`` and return all runs as one Dataset.

    Parameters
    ----------
    ensemble : Ensemble
        What to run.
    out_dir : path, optional
        Directory for finished chunks (``out_dir/chunks``); needed for ``resume``.
    scheduler : None, "local", address or `distributed.Client`
        None runs the chunks here (or on a local cluster if ``workers`` is given);
        "local" starts a `LocalCluster`; ``"tcp://host:8786"`` connects to a running
        scheduler; a Client is used as it is.
    workers : int, optional
        Worker processes of the local cluster (default 2).
    resume : bool
        Keep the chunks of an earlier, interrupted run of the same ensemble.
    progress : callable, optional
        Called as ``progress(chunks_done, chunks, runs_done)`` after every chunk.
    attempts : int
        Times a chunk is submitted before its failure on the cluster is an error.
    lazy : bool
        Return a dask-backed Dataset read from the chunk files (for ensembles larger than
        memory; needs ``out_dir``).
    connect_timeout : float
        Seconds to wait for a remote scheduler.
    report : callable, optional
        Called with a message for every finished chunk that cannot be read on resuming
        (it is computed again); default a `RuntimeWarning`.

    Returns
    -------
    xarray.Dataset
        Output variables with dims (scenario, run, time, ...), ``failed`` (scenario, run)
        and the sampled values ``sampled <constant>`` (run, ...).

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdflow.forecasting import Scenario, Uncertain
    >>> m = sf.Model("growth", start=0, stop=10, dt=1)
    >>> r = m.const("rate", 0.05)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("growth", r * x, sink=x)
    >>> e = Ensemble(m, [Scenario("baseline")], [Uncertain("rate", sf.uniform(0, 0.1))],
    ...              n=100, chunk_size=40, variables=["x"])
    >>> run_ensemble(e)["x"].sizes["run"]
    100
    """
    if lazy and out_dir is None:
        raise SpecError("lazy=True reads chunks back from disk: give out_dir")
    ensemble.prepared()  # bad scenario or parameter names fail here, not on a worker
    _ = ensemble.sampler
    store = run_chunks(ensemble, out_dir, scheduler, workers, resume, progress, attempts,
                       connect_timeout, report)
    return store.assemble(ensemble.chunks, lazy=lazy)


def run_chunks(job: ChunkedJob, out_dir: str | Path | None = None, scheduler=None,
               workers: int | None = None, resume: bool = False,
               progress: Progress | None = None, attempts: int = 3,
               connect_timeout: float = 20.0, report: Callable[[str], None] | None = None
               ) -> ChunkStore | MemoryStore:
    """Compute every chunk of ``job`` that is not finished yet; the store holding them all.

    The arguments are those of `run_ensemble`. Returns the `ChunkStore` of ``out_dir``
    (or a `MemoryStore` without it); ``store.assemble(job.chunks)`` joins the chunks.

    Examples
    --------
    >>> from sdflow.forecasting.examples import linear_sensitivity
    >>> problem = linear_sensitivity()
    >>> job = SensitivityRuns(problem, np.array([[0.5, 0.25], [1.0, 1.0], [0.0, 0.5]]),
    ...                       chunk_size=2)
    >>> store = run_chunks(job)
    >>> store.finished(), store.assemble(job.chunks)["outputs"].values.round(6).tolist()
    ([0, 1], [[1.0], [3.0], [1.0]])
    """
    if resume and out_dir is None:
        raise SpecError("resume needs an output directory holding the finished chunks")
    store = ChunkStore(out_dir, job.describe(), resume) if out_dir is not None \
        else MemoryStore()
    done = set(store.readable(report)) if out_dir is not None else set()
    pending = [i for i in range(job.chunks) if i not in done]
    counter = _Counter(job, done, progress)

    def finish(i: int, chunk: xr.Dataset) -> None:
        store.write(i, chunk)
        counter.add(i)

    if pending:
        if scheduler is None and workers is None:
            for i in pending:
                finish(i, job.run_chunk(i))
        else:
            with _client(scheduler, workers, connect_timeout) as client:
                _run_on_cluster(client, job, pending, finish, attempts)
    return store


def chunked_evaluator(problem: SensitivityProblem, out_dir: str | Path | None = None,
                      chunk_size: int = 1000, scheduler=None, workers: int | None = None,
                      resume: bool = False, progress: Progress | None = None,
                      report: Callable[[str], None] | None = None, note: str = ""
                      ) -> Callable[[np.ndarray], np.ndarray]:
    """A replacement for ``problem.evaluate`` that evaluates a sensitivity design in
    chunks of ``chunk_size`` runs, checkpointed and resumable, here or on Dask.

    Pass it as ``evaluate=`` to `sobol_indices` or `morris_screening`. The other
    arguments are those of `run_ensemble`; ``note`` is added to the fingerprint (e.g. the
    digest of the spec file the problem comes from). The fingerprint also holds the
    sdflow version, the problem (`SensitivityProblem.describe`: model source, scenario,
    distributions, outputs) and a digest of the design itself, so chunks are kept only
    for the very same evaluations; a resumed run equals an uninterrupted one bit for bit.

    Examples
    --------
    >>> import tempfile
    >>> from sdflow.forecasting.examples import linear_sensitivity
    >>> from sdflow.forecasting.sensitivity import sobol_indices
    >>> problem = linear_sensitivity()
    >>> folder = tempfile.mkdtemp()
    >>> evaluate = chunked_evaluator(problem, folder, chunk_size=256)
    >>> table = sobol_indices(problem, n=256, evaluate=evaluate)
    >>> table.set_index("parameter")["ST"].round(1).to_dict()  # 1/5 and 4/5 of variance
    {'a': 0.2, 'b': 0.8}
    >>> again = chunked_evaluator(problem, folder, chunk_size=256, resume=True,
    ...                           progress=lambda done, chunks, runs: print(done, chunks))
    >>> sobol_indices(problem, n=256, evaluate=again).equals(table)   # read from disk
    4 4
    True
    """
    def evaluate(unit: np.ndarray) -> np.ndarray:
        job = SensitivityRuns(problem, unit, chunk_size, note)
        store = run_chunks(job, out_dir, scheduler, workers, resume, progress,
                           report=report)
        ds = store.assemble(job.chunks)
        problem.outputs = [str(label) for label in ds["output"].values]
        return ds["outputs"].values

    return evaluate


def _distributed():
    """The ``distributed`` package, or `MissingDependencyError` saying how to install it."""
    try:
        import dask  # noqa: F401  (distributed needs it; a missing one is named alike)
        import distributed
    except ImportError as exc:
        raise MissingDependencyError(
            f"running on Dask (--scheduler, --workers) needs dask and distributed ({exc}); "
            'pip install "sdflow[dask]", or run in this process') from None
    return distributed


def _run_on_cluster(client, job: ChunkedJob, pending: list[int], finish, attempts: int):
    as_completed = _distributed().as_completed

    payload = portable.dumps(job)
    token = portable.token(payload)
    tries = dict.fromkeys(pending, 0)

    def submit(i):
        tries[i] += 1
        return client.submit(_chunk_task, payload, token, i, pure=False, retries=1,
                             key=f"sdflow-chunk-{token}-{i}-{tries[i]}")

    futures = {}
    queue = as_completed()
    for i in pending:
        future = submit(i)
        futures[future.key] = i
        queue.add(future)
    for future in queue:
        i = futures.pop(future.key)
        try:
            chunk = future.result()
        except SdflowError:
            raise
        except Exception as exc:  # a worker died too often, lost connection, ...
            if tries[i] >= attempts:
                raise SdflowError(f"chunk {i} failed {tries[i]} times on the cluster; "
                                  f"last error: {exc!r}") from exc
            retry = submit(i)
            futures[retry.key] = i
            queue.add(retry)
            continue
        finally:
            future.release()
        finish(i, chunk)


def local_cluster(workers: int = 2, processes: bool = True):
    """A `distributed.LocalCluster` on 127.0.0.1 suited to batched simulation.

    Dask starts worker processes with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc
    return freed memory at once and serve every array above 128 kB by a fresh ``mmap``:
    the many short-lived arrays of a batched time step then cost page faults and system
    calls (three times the CPU time per chunk, measured on the YRD model). Thresholds of
    64 MB (trim) and 16 MB (mmap) keep those arrays on the heap.

    Parameters
    ----------
    workers : int
        Number of workers, one thread each.
    processes : bool
        Workers in separate processes (True) or as threads of this process.

    Returns
    -------
    distributed.LocalCluster
        Close it (or use it as a context manager) when done.

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdflow.forecasting import Ensemble, Scenario, Uncertain, run_ensemble
    >>> from sdflow.forecasting.examples import growth_model
    >>> m = growth_model()
    >>> from distributed import Client
    >>> ensemble = Ensemble(m, [Scenario("baseline")],
    ...                     [Uncertain("rate", sf.uniform(0.02, 0.04))], n=20)
    >>> with local_cluster(workers=1, processes=False) as cluster, Client(cluster) as client:
    ...     ds = run_ensemble(ensemble, scheduler=client)
    >>> dict(ds["x"].sizes)
    {'scenario': 1, 'run': 20, 'time': 11}
    """
    LocalCluster = _distributed().LocalCluster
    import dask  # present once _distributed() returned

    environ = "distributed.nanny.pre-spawn-environ"
    settings = {f"{environ}.MALLOC_TRIM_THRESHOLD_": 64 * 2 ** 20,
                f"{environ}.MALLOC_MMAP_THRESHOLD_": 16 * 2 ** 20}
    with dask.config.set(settings):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                            host="127.0.0.1", protocol="tcp", dashboard_address=None)


class _client:
    """A Dask client for ``scheduler`` (closing only what it started)."""

    def __init__(self, scheduler, workers, timeout: float):
        self.scheduler, self.workers, self.timeout = scheduler, workers, timeout
        self.cluster = self.client = None

    def __enter__(self):
        Client = _distributed().Client

        if isinstance(self.scheduler, Client):
            return self.scheduler
        if self.scheduler in (None, "local"):
            self.cluster = local_cluster(self.workers or 2)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.scheduler, timeout=f"{self.timeout}s")
            except OSError as exc:
                raise SpecError(f"cannot reach the Dask scheduler at {self.scheduler} "
                                f"({exc}); check the address (e.g. tcp://host:8786) and "
                                "that the scheduler runs") from None
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class _Counter:
    def __init__(self, job: ChunkedJob, done: set, progress: Progress | None):
        self.job, self.progress = job, progress
        self.done = set(done)
        self.runs = sum(len(job.chunk_runs(i)) for i in done)
        self.started = time.perf_counter()
        if progress is not None:  # the starting point (resumed chunks included)
            progress(len(self.done), job.chunks, self.runs)

    def add(self, i: int) -> None:
        self.done.add(i)
        self.runs += len(self.job.chunk_runs(i))
        if self.progress is not None:
            self.progress(len(self.done), self.job.chunks, self.runs)
