"""``sdflow convert MODEL --to xmile``: write a model in another format."""

from __future__ import annotations

import argparse
from pathlib import Path

from .arguments import ArgumentValueError, check_output_file
from .run import parse_assignments


def register(sub) -> None:
    p = sub.add_parser("convert", help="write a model as XMILE",
                       description="Write a model (MODULE:ATTR, file.py:ATTR, or a Vensim "
                                   "/XMILE file) as an XMILE 1.0 file that PySD, Stella "
                                   "and sdflow can read.")
    p.add_argument("model", help="MODULE:ATTR, file.py:ATTR, or a .mdl/.xmile file")
    p.add_argument("--to", required=True, choices=["xmile"], help="output format")
    p.add_argument("--out", type=Path, help="output file (default: the model's name "
                                            "with the format's extension)")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="keyword argument for the model factory (repeatable)")
    p.set_defaults(func=convert)


def convert(args: argparse.Namespace) -> int:
    from ..forecasting.targets import load_model
    from ..io import write_xmile
    model = load_model(args.model, parse_assignments(args.option, "--option", numeric=False))
    out = args.out or Path(f"{model.name}.xmile")
    if out.suffix.lower() not in (".xmile", ".xml"):
        raise ArgumentValueError(f"--out {out}: an XMILE file ends in .xmile or .xml")
    check_output_file(out)
    write_xmile(model, out)
    print(f"wrote {out}")
    return 0
