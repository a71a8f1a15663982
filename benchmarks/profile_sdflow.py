"""Where sdflow spends its time: cProfile of the ensemble and single-run cases.

    python benchmarks/profile_sdflow.py [ensemble|arrayed|scalar] [--top 15] [--runs 10000]

``ensemble``: the 10,000-run batched ensemble of ``ensemble.py``; ``arrayed``: 20 single
runs of the regional trade model; ``scalar``: 200 single runs of the SIR model. Prints the
functions with the most time of their own.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats

from common import machine


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", default="ensemble",
                        choices=["ensemble", "arrayed", "scalar"])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args(argv)
    import regional_trade
    from ensemble import OUTPUTS, uncertain
    from sdmodels.reference import sir
    if args.case == "ensemble":
        model = regional_trade.build()

        def work():
            model.simulate(params=uncertain(), n=args.runs, seed=1, variables=OUTPUTS,
                           saveper=1.0)
    elif args.case == "arrayed":
        model = regional_trade.build()

        def work():
            for _ in range(20):
                model.simulate()
    else:
        model = sir.build()

        def work():
            for _ in range(200):
                model.simulate()
    work()  # compile and warm up outside the profile
    profile = cProfile.Profile()
    profile.enable()
    work()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print(machine())
    print(out.getvalue())


if __name__ == "__main__":
    main()
