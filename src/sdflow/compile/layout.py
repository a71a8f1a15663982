"""Where each stock lives in the state matrix and each varying constant in the parameter
matrix: both are (runs, columns), a multi-dimensional variable taking several columns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    """Columns ``offset : offset + size`` of a matrix, reshaped to ``shape`` per run."""

    key: str
    offset: int
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        size = 1
        for s in self.shape:
            size *= s
        return size

    @property
    def stop(self) -> int:
        return self.offset + self.size


def lay_out(keys, shapes) -> tuple[dict[str, Slot], int]:
    """Consecutive slots for ``keys`` with the given shapes; returns slots and width."""
    slots, offset = {}, 0
    for key, shape in zip(keys, shapes):
        slot = Slot(key, offset, tuple(shape))
        slots[key] = slot
        offset = slot.stop
    return slots, offset
