"""`Checkpoint`: finished work of a calibration, kept in one JSON file written atomically.

Each stage (a finished least-squares start, the differential-evolution population after a
generation, a profile, a chunk of MCMC samples) is stored under its own key as soon as it
is done, so an interruption loses at most the stage that was running. A fingerprint of the
spec guards against resuming with a different spec.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..solve.results import atomic_write


class Checkpoint:
    """Stage results by key; ``path=None`` keeps them in memory only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "checkpoint.json"
    >>> Checkpoint(path, "abc").put("starts", [1, 2])
    >>> Checkpoint(path, "abc", resume=True).get("starts")
    [1, 2]
    >>> Checkpoint(path, "abc").get("starts") is None     # a fresh run starts over
    True
    """

    def __init__(self, path: Path | None, fingerprint: str, resume: bool = False):
        self.path = Path(path) if path is not None else None
        self.fingerprint = fingerprint
        self.data: dict[str, Any] = {}
        #: Runs and batches simulated by earlier (interrupted) processes, and a callable
        #: giving this process's (runs, batches) so far; both are saved with every stage.
        self.earlier = (0, 0)
        self.counter = None
        if resume and self.path is not None and self.path.exists():
            try:
                saved = json.loads(self.path.read_text())
            except json.JSONDecodeError as exc:
                raise SpecError(f"--resume: checkpoint {self.path} is unreadable ({exc}); "
                                "delete it to start over") from None
            if saved.get("fingerprint") != fingerprint:
                raise SpecError(f"--resume: checkpoint {self.path} belongs to another version "
                                "of the spec; run without --resume to start over")
            self.data = saved.get("stages", {})
            self.earlier = tuple(saved.get("counts", (0, 0)))

    def counts(self) -> tuple[int, int]:
        """Runs and batches simulated so far, this process and the interrupted ones."""
        now = self.counter() if self.counter is not None else (0, 0)
        return self.earlier[0] + now[0], self.earlier[1] + now[1]

    def get(self, key: str, default=None):
        return self.data.get(key, default)

    def put(self, key: str, value) -> None:
        self.data[key] = value
        if self.path is not None:
            text = json.dumps({"fingerprint": self.fingerprint, "stages": self.data,
                               "counts": self.counts()})
            atomic_write(self.path, lambda tmp: Path(tmp).write_text(text))
