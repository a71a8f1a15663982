"""What the xarray Dataset of a single run's `Results` costs: the template's shallow copy
(``Dataset.copy(deep=False, data=...)``, sdflow's way until 2026-11) against
`sdflow.solve.dataset.Template.filled` (the Dataset assembled from the template's parts).

Usage::

    python benchmarks/results_dataset.py [--preset yrd] [--rounds 5] [--per-round 200]

One single run of the regional integration preset (every variable saved, no run dimension)
gives the arrays; both ways then make a Dataset of them, taking turns
(`timing.interleaved`), and the two Datasets are checked to be identical (values,
coordinates, attributes). Medians of wall and CPU time per Dataset are printed.
"""

from __future__ import annotations

import argparse

from common import machine, table
from timing import duration, interleaved


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="yrd")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=200)
    args = parser.parse_args(argv)
    from sdflow.solve.dataset import Template
    from sdmodels.regional_integration import build
    model = build(args.preset)
    run = model.simulate(backend="batched").dataset
    template = next(iter(model.graph().memo["sdflow.solve.dataset"].values()))
    assert isinstance(template, Template)
    data = {name: run[name].values for name in run.data_vars}

    def copied():
        return template.dataset.copy(deep=False, data=data)

    def filled():
        return template.filled(data)

    assert copied().identical(filled()), "the two ways must give the same Dataset"
    timed = interleaved({"copy": copied, "filled": filled}, args.rounds,
                        {"copy": args.per_round, "filled": args.per_round})
    print(machine())
    print(f"Dataset of one run of preset {args.preset!r}: {len(run.data_vars)} variables, "
          f"{run.sizes['time']} saved times; medians of {args.rounds} rounds x "
          f"{args.per_round}, taking turns")
    rows = [(name, duration(t.median), duration(t.cpu_median),
             f"{timed['copy'].cpu_median / t.cpu_median:.1f}x")
            for name, t in timed.items()]
    print(table(rows, ("way", "wall", "CPU", "copy / this (CPU)")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
