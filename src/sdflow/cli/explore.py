"""``sdflow explore MODULE:ATTR``: a local web page with sliders, live plots, fan charts,
loop dominance and scenario export for a model (see `sdflow.explore`)."""

from __future__ import annotations

import argparse
import errno

from .arguments import ArgumentValueError
from .run import parse_assignments


def register(sub) -> None:
    p = sub.add_parser(
        "explore", help="explore a model in the browser",
        description="Start a local web page (on 127.0.0.1 only) with sliders for the "
                    "model's constants, live time plots against the baseline, fan charts, "
                    "loop dominance and export of the settings as a scenario for sdflow "
                    "forecast. Ctrl+C stops it.")
    p.add_argument("model", help="MODULE:ATTR, e.g. sdmodels.regional_integration:build "
                                 "(a Model or a factory returning one), file.py:ATTR, or a "
                                 "Vensim (.mdl) or XMILE (.xmile) model file")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="keyword argument for the model factory (repeatable), e.g. "
                        "--option preset=yrd")
    p.add_argument("--port", type=_port, default=8050,
                   help="port on 127.0.0.1 (default 8050; 0 picks a free one)")
    p.add_argument("--method", default="euler", choices=["euler", "rk4"])
    p.set_defaults(func=explore)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port; give a whole number from "
                                         "0 to 65535, e.g. 8050")
    return value


def explore(args: argparse.Namespace) -> int:
    from ..explore import explore as serve
    from ..forecasting.targets import load_model

    options = parse_assignments(args.option, "--option", numeric=False)
    model = load_model(args.model, options)
    try:
        serve(model, target=args.model, options=options, port=args.port, method=args.method)
    except KeyboardInterrupt:
        pass  # Ctrl+C is how the explorer is meant to stop
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise ArgumentValueError(f"--port {args.port}: the port is in use on 127.0.0.1; "
                                 "choose another, or --port 0 for a free one") from None
    return 0
