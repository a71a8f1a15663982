"""What the command line says when a command fails: one line and an exit code.

Exit codes: 2 when the input must change (argparse's own errors, bad argument values, and
any `SdflowError` about the spec, model or data a command was given, or an input file that
is not UTF-8 text); 1 when the command failed while working (a run that went non-finite or
would not fit in memory, a file that cannot be read or written, out of memory, an error
sdflow did not expect); 130 when interrupted.
"""

from __future__ import annotations

import errno

from ..errors import SdflowError, SimulationError

USAGE = 2
FAILURE = 1
INTERRUPTED = 130

_OS_HINTS = {
    errno.ENOENT: "check the path",
    errno.EISDIR: "it is a folder; give a file name",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.EEXIST: "a file of that name is in the way; choose another path",
    errno.EACCES: "check the permissions, or choose another path",
    errno.EPERM: "check the permissions, or choose another path",
    errno.EROFS: "the file system is read-only; choose another path",
    errno.ENOSPC: "the disk is full; free some space or choose another path",
}


def explain(exc: BaseException, inputs: list[str] = (), resumable: bool = False
            ) -> tuple[int, str]:
    """The exit code and the one-line message for ``exc``.

    Parameters
    ----------
    exc : BaseException
        What the command raised.
    inputs : list of str
        The input files of the command, named when a file is not UTF-8 text.
    resumable : bool
        The command has ``--resume``: an interrupted run says how to continue.

    Examples
    --------
    >>> explain(FileNotFoundError(2, "No such file or directory", "data/gdp.csv"))
    (1, 'cannot use data/gdp.csv: No such file or directory; check the path')
    >>> from sdflow.errors import SimulationError, SpecError
    >>> explain(SpecError("spec.toml: seed: expected a whole number"))[0]
    2
    >>> explain(SimulationError("'x' is NaN at time 3 in run 0"))[0]
    1
    >>> explain(KeyError("x"))[1].startswith("internal error: KeyError: 'x'; rerun with --debug")
    True
    """
    match exc:
        case KeyboardInterrupt():
            again = "; run the same command with --resume to continue" if resumable else ""
            return INTERRUPTED, "interrupted" + again
        case SimulationError():  # the input was valid; the run itself failed
            return FAILURE, one_line(str(exc))
        case SdflowError():
            return USAGE, one_line(str(exc))
        case UnicodeDecodeError():
            where = f" ({', '.join(inputs)})" if inputs else ""
            return USAGE, (f"an input file{where} is not {exc.encoding.upper()} text: byte "
                           f"{exc.object[exc.start:exc.start + 1]!r} at position {exc.start} "
                           f"({exc.reason}); save it as UTF-8 text")
        case OSError() if exc.filename is not None:
            names = str(exc.filename) + (f" -> {exc.filename2}" if exc.filename2 else "")
            hint = _OS_HINTS.get(exc.errno, "check the path and try again")
            return FAILURE, one_line(f"cannot use {names}: {exc.strerror or exc}; {hint}")
        case OSError():
            return FAILURE, one_line(f"{exc.strerror or exc}" + (
                f" (errno {exc.errno})" if exc.errno else ""))
        case MemoryError():
            return FAILURE, ("out of memory; run fewer runs at once (--n, --chunk-size), "
                             "save fewer variables, or use a machine with more memory")
        case ValueError() | TypeError():
            return FAILURE, one_line(f"{type(exc).__name__}: {exc}; if this does not point "
                                     "to your input, rerun with --debug and report it")
        case _:
            return FAILURE, one_line(f"internal error: {type(exc).__name__}: {exc}; rerun "
                                     "with --debug and report the traceback")


def one_line(text: str) -> str:
    """``text`` with its lines joined by single spaces.

    Examples
    --------
    >>> one_line("the model has 2 problems:\\n  1. a\\n  2. b")
    'the model has 2 problems: 1. a 2. b'
    """
    return " ".join(part.strip() for part in text.splitlines() if part.strip())
