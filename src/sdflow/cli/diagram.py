"""``sdflow diagram MODULE:ATTR --kind ... --out x.svg``: draw a model's diagram."""

from __future__ import annotations

import argparse
from pathlib import Path

from .arguments import ArgumentValueError, check_output_file, positive_int
from .run import parse_assignments

#: output formats by file extension; ``.gv``/``.dot`` is Graphviz's own text (no ``dot``
#: program needed to write it)
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".gv": "gv", ".dot": "gv"}


def register(sub) -> None:
    p = sub.add_parser("diagram", help="draw a stock-and-flow or causal-loop diagram",
                       description="Draw a model's stock-and-flow or causal-loop diagram "
                                   "with Graphviz, as SVG (equations and units on hover), "
                                   "PNG, PDF or Graphviz source (.gv).")
    p.add_argument("model", help="MODULE:ATTR, file.py:ATTR, or a .mdl/.xmile file")
    p.add_argument("--kind", default="stock_flow", choices=["stock_flow", "causal_loop"])
    p.add_argument("--out", type=Path, required=True,
                   help="output file: .svg, .png, .pdf or .gv")
    p.add_argument("--loops", metavar="IDS", help="comma-separated loop ids (as "
                   "sf.loops lists them, e.g. R1,B2): draw only those loops")
    p.add_argument("--around", metavar="NAME", help="draw only the variables near this one")
    p.add_argument("--depth", type=positive_int, default=1,
                   help="how many links away from --around to go (default 1)")
    p.add_argument("--constants", action=argparse.BooleanOptionalAction, default=None,
                   help="draw constants (default: in stock-and-flow diagrams only)")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="keyword argument for the model factory (repeatable)")
    p.set_defaults(func=draw)


def draw(args: argparse.Namespace) -> int:
    from ..analyse.diagrams import diagram, require_dot
    from ..forecasting.targets import load_model
    from ..solve.results import atomic_write

    out: Path = args.out
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ArgumentValueError(f"--out {out}: give a file ending in "
                                 f"{', '.join(FORMATS)} (the format follows the extension)")
    check_output_file(out)
    model = load_model(args.model, parse_assignments(args.option, "--option", numeric=False))
    loops = [i.strip() for i in args.loops.split(",") if i.strip()] if args.loops else None
    graph = diagram(model, kind=args.kind, loops=loops, around=args.around,
                    depth=args.depth, constants=args.constants)
    if fmt == "gv":
        data = graph.source.encode("utf-8")
    else:
        require_dot()
        data = graph.pipe(format=fmt)
    atomic_write(out, lambda tmp: Path(tmp).write_bytes(data))
    print(f"wrote {out}")
    return 0
