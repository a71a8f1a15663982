"""Feedback loops, their polarity and their dominance (Loops That Matter).

`loops` lists the feedback loops of a model; `loop_scores` measures how much each loop
drives the model's behaviour over a run; `dominant_loops` turns the scores into periods
of dominance; `diagram` draws stock-and-flow and causal-loop diagrams.
"""

from .cycles import LoopEnumerationWarning
from .diagrams import diagram
from .dominance import dominant_loops
from .loop_scores import loop_scores
from .loops import loops

__all__ = ["LoopEnumerationWarning", "diagram", "dominant_loops", "loop_scores", "loops"]
