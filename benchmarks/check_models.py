"""Check that sdflow and PySD compute the same trajectories on the benchmark models.

Runs the arrayed benchmark model (``models/regional_trade.py`` against
``models/regional_trade.mdl``) and the scalar teacup and SIR models (the DSL versions in
``sdmodels.reference`` against the Vensim originals of the SDXorg test-models suite) in
both engines and prints, for each, the largest relative difference over every variable,
element and saved time.

    python benchmarks/check_models.py SAMPLES

SAMPLES is the folder holding ``teacup/teacup.mdl`` and ``SIR/SIR.mdl``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import MODELS, load_pysd, machine, max_relative_difference, \
    pysd_names, table


def compare(model, mdl: Path):
    """(variables compared, largest relative difference, where) of one model."""
    ours = model.simulate().dataset
    peer = load_pysd(mdl)
    frame = peer.run()
    names = pysd_names(peer, ours)
    worst, where = max_relative_difference(ours, frame, names)
    return len(names), worst, where


def scalar_models(samples: Path):
    from sdmodels.reference import sir, teacup
    return [("teacup", teacup.build(), samples / "teacup" / "teacup.mdl"),
            ("SIR", sir.build(), samples / "SIR" / "SIR.mdl")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", type=Path,
                        help="the samples folder of the SDXorg test-models suite")
    args = parser.parse_args(argv)
    for sample in ("teacup/teacup.mdl", "SIR/SIR.mdl"):
        if not (args.samples / sample).exists():
            parser.error(f"{args.samples / sample} does not exist: pass the folder of the "
                         "SDXorg sample models (holding teacup/ and SIR/) as SAMPLES")
    import regional_trade
    models = [("regional trade (6 regions)", regional_trade.build(),
               MODELS / "regional_trade.mdl")] + scalar_models(args.samples)
    rows = []
    for label, model, mdl in models:
        count, worst, where = compare(model, mdl)
        rows.append((label, count, f"{worst:.2e}", where))
    print(machine())
    print(table(rows, ("model", "variables", "max rel. diff", "at (PySD column)")))


if __name__ == "__main__":
    main()
