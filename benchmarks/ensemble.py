"""Ensemble speed: 10,000 runs of the regional trade model with uncertain parameters.

Compares, measured side by side in one process:

* sdflow batched: one ``simulate(n=10000, params={...distributions...})`` call;
* sdflow loop: the same engine called once per run (a sample of runs timed and scaled);
* PySD: ``run(params=...)`` once per run (a few runs timed; the per-run cost is what
  10,000 runs would cost each).

Every engine saves the same outputs once a year (6 variables, 51 times) and draws the same
six uncertain parameters (one of them per region). The first PySD run is compared with the
sdflow run of the same parameter values. The engines take turns (a batched ensemble, a
loop sample, a PySD run, and again) so that load from other processes falls on all alike.

    python benchmarks/ensemble.py [--runs 10000] [--single 200] [--pysd 5] [--repeats 3]
"""

from __future__ import annotations

import argparse

import numpy as np

from common import MODELS, load_pysd, machine, seconds, table
from timing import interleaved

OUTPUTS = ["gdp", "protection", "total gdp", "average trust", "integration index",
           "income dispersion"]


def uncertain():
    import sdflow as sf
    return {"trade gain": sf.uniform(0.1, 0.5),
            "coordination strength": sf.uniform(0.0, 0.6),
            "fiscal transfer rate": sf.uniform(0.0, 0.3),
            "diffusion rate": sf.uniform(0.01, 0.1),
            "trust adjustment time": sf.triangular(2.0, 4.0, 8.0),
            "savings rate": sf.uniform(0.3, 0.45)}  # one draw per region and run


def draws(model, runs: int, seed: int) -> dict[str, np.ndarray]:
    """The parameter values of the batched ensemble, to replay run by run."""
    result = model.simulate(params=uncertain(), n=runs, seed=seed, variables=OUTPUTS[:1],
                            stop=model.graph().start + model.graph().dt)
    return {name: result.dataset[name].values for name in uncertain()}


def pysd_params(values: dict[str, np.ndarray], i: int):
    import xarray as xr
    from regional_trade import REGIONS
    out = {}
    for name, array in values.items():
        v = array[i]
        out[name] = xr.DataArray(v, dims=["region"], coords={"region": REGIONS}) \
            if np.ndim(v) else float(v)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="size of the batched ensemble")
    parser.add_argument("--single", type=int, default=200,
                        help="single sdflow runs timed to estimate the loop")
    parser.add_argument("--pysd", type=int, default=5, help="PySD runs timed")
    parser.add_argument("--repeats", type=int, default=3,
                        help="repeats of the batched ensemble (median)")
    args = parser.parse_args(argv)
    import regional_trade
    model = regional_trade.build()
    graph = model.graph()
    seed = 20240501

    def batched():
        return model.simulate(params=uncertain(), n=args.runs, seed=seed, variables=OUTPUTS,
                              saveper=1.0)
    ensemble = batched().dataset  # also compiles and warms up
    values = draws(model, args.runs, seed)

    def loop():
        for i in range(args.single):
            model.simulate(params={k: v[i] for k, v in values.items()}, variables=OUTPUTS,
                           saveper=1.0)

    peer = load_pysd(MODELS / "regional_trade.mdl")
    columns = [f"{v}[{r}]" if ensemble[v].ndim > 2 else v for v in OUTPUTS
               for r in (regional_trade.REGIONS if ensemble[v].ndim > 2 else [None])]
    frames = []

    def pysd_run():
        i = len(frames)
        frames.append(peer.run(params=pysd_params(values, i), return_columns=OUTPUTS,
                               saveper=1.0))
        peer.reload()  # PySD keeps set parameters; start the next run from the model file

    # the engines take turns, so load from other processes falls on all of them alike
    timed = interleaved({"batched": batched, "loop": loop, "pysd": pysd_run}, args.repeats,
                        {"pysd": max(1, -(-args.pysd // args.repeats))}, warmup=False)
    first = frames[0]

    # the same run in both engines: ensemble member 0 against PySD run 0
    ours = np.column_stack([ensemble[v].isel(run=0).values.reshape(len(ensemble.time), -1)
                            for v in OUTPUTS])
    theirs = first[columns].to_numpy(dtype=float)
    worst = float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-9)))
    assert ours.shape == theirs.shape

    per_run = {"batched": timed["batched"].per(args.runs), "loop": timed["loop"].per(args.single),
               "pysd": timed["pysd"]}
    batched_run, loop_run, pysd_run = (per_run[k].median for k in ("batched", "loop", "pysd"))
    rows = [(f"sdflow batched, 1 call of n={args.runs:,}", seconds(timed["batched"].median),
             seconds(batched_run), per_run["batched"].spread(), "1.0x",
             f"{pysd_run / batched_run:,.0f}x"),
            (f"sdflow, loop of single runs ({args.single} timed)",
             seconds(loop_run * args.runs) + " (scaled)", seconds(loop_run),
             per_run["loop"].spread(), f"{loop_run / batched_run:,.0f}x",
             f"{pysd_run / loop_run:,.0f}x"),
            (f"PySD, loop of single runs ({len(frames)} timed)",
             seconds(pysd_run * args.runs) + " (scaled)", seconds(pysd_run),
             per_run["pysd"].spread(), f"{pysd_run / batched_run:,.0f}x", "1.0x")]
    print(machine())
    kinds = [type(v).__name__.lower() for v in model.variables if not v.name.endswith(
        " initial")]
    counts = ", ".join(f"{kinds.count(k)} {k}s" for k in sorted(set(kinds)))
    print(f"model: regional trade ({counts}), 6 regions x 6 partners, "
          f"{graph.start:g}-{graph.stop:g} at dt={graph.dt:g}; {len(uncertain())} uncertain "
          f"parameters; outputs {OUTPUTS} saved yearly")
    print(f"run 0 of the ensemble vs PySD with the same parameters: max relative "
          f"difference {worst:.1e}")
    print(table(rows, (f"{args.runs:,} runs", "total", "per run (median)", "range per run",
                       "per run / batched", "PySD / this")))


if __name__ == "__main__":
    main()
