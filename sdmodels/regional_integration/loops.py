"""The model's named feedback loops, located among the loops `sdflow.loops` finds, and the
links a loop knock-out can hold.

A named loop is a closed chain of declared variables, each read by the next. It exists in
the model exactly when `sdflow.loops(model)` lists a loop through the same variables in
the same cyclic order (smooths and delays shown by the variable that holds them, as
`sdflow.loops` does); `find_loop` returns that loop's id.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Loop:
    """A feedback loop: ``key`` (R1, B1...), ``title``, ``polarity`` (+1 reinforcing, -1
    balancing), the ``variables`` on it in causal order, and what it means."""

    key: str
    title: str
    polarity: int
    variables: tuple
    meaning: str


_PROTECTION_CHOICE = ("protection payoff", "chosen protectionism", "desired protectionism",
                      "protection change", "protectionism")
_COOPERATION_CHAIN = ("cooperation basis", "desired cooperation", "cooperation change",
                      "cooperation", "interaction")

LOOPS: tuple[Loop, ...] = (
    Loop("R1", "capital accumulation", +1,
         ("capital", "effective capital", "potential output", "output", "investment",
          "capital"),
         "output is partly invested, investment adds to capital, capital raises output"),
    Loop("B1", "depreciation", -1, ("capital", "depreciation", "capital"),
         "the larger the capital stock, the more wears out"),
    Loop("B2", "diminishing returns", -1,
         ("capital", "return on capital", "expected return", "investment odds",
          "investment share", "investment", "capital"),
         "more capital per unit of output lowers its return and the share invested"),
    Loop("B3", "overcapacity", -1,
         ("investment", "duplicate construction", "duplicate capacity", "effective capital",
          "potential output", "output", "return on capital", "expected return",
          "investment odds", "investment share", "investment"),
         "duplicate plants stand idle, lower output and returns, and so investment"),
    Loop("B4", "investment catch-up", -1,
         ("output", "perceived growth", "growth gap", "tournament pressure",
          "investment odds", "investment share", "investment", "capital",
          "effective capital", "potential output", "output"),
         "members lagging in growth invest more, which closes the gap"),
    Loop("B7", "catch-up", -1,
         ("output", "output per person", "catch-up potential", "productivity growth",
          "productivity", "potential output", "output"),
         "a member closing its productivity gap to its partners learns less from them"),
    Loop("R2", "trust and cooperation", +1,
         ("trust",) + _COOPERATION_CHAIN + ("kept agreements", "trust building", "trust"),
         "trust makes joint projects worth the risk; kept agreements build trust"),
    Loop("R3", "shared gains", +1,
         ("market integration", "realised shared gain", "gain signal", "trust building",
          "trust") + _COOPERATION_CHAIN + ("integration gain", "market integration"),
         "integration yields visible shared gains, which build trust, cooperation and more "
         "integration"),
    Loop("B8", "temptation of open markets", -1,
         ("market integration", "capture potential", "capture opportunity")
         + _PROTECTION_CHOICE + ("segmentation", "market integration"),
         "the more open partners' markets are, the more sales protection can divert, the "
         "more members protect, and the more segmented markets become"),
    Loop("R4", "stake in integration", +1,
         ("market integration", "integration stake") + _PROTECTION_CHOICE
         + ("segmentation", "market integration"),
         "the more integrated a member is, the more it sees at stake, the less it protects"),
    Loop("R5", "distrust spiral", +1,
         ("protectionism", "opportunism", "seen opportunism", "trust erosion", "trust")
         + _COOPERATION_CHAIN + ("integration gain", "market integration",
                                 "integration stake") + _PROTECTION_CHOICE,
         "opportunism seen by partners erodes their trust and joint projects, integration "
         "falls, less is at stake, and protection pays more"),
    Loop("R6", "regional public goods", +1,
         ("regional public goods", "public goods per person", "public goods effect",
          "potential output", "output", "contributions", "regional public goods"),
         "infrastructure raises output, part of which is contributed to infrastructure"),
    Loop("B5", "public goods decay", -1,
         ("regional public goods", "public goods depreciation", "regional public goods"),
         "infrastructure wears out in proportion to its stock"),
    Loop("R7", "regional demand spillover", +1,
         ("output", "perceived output", "market ratio", "market size effect",
          "potential output", "output"),
         "a partner's growth enlarges one's effective market (positive across members; "
         "one's own output only dilutes the ratio)"),
    Loop("B6", "cooperation adjustment", -1,
         ("cooperation", "cooperation change", "cooperation"),
         "effort in joint projects moves towards the desired effort"),
)
"""Every named loop of the regional integration model."""

HOLDABLE = ("capture opportunity", "integration stake", "protection payoff")
"""Links `build(hold=...)` can hold at a value: holding one cuts every loop through it
(``capture opportunity``: B8; ``integration stake``: R4 and R5; ``protection payoff``: B8,
R4, R5 and the temptation's pull on cooperation)."""


def name_key(name: str) -> str:
    """A name as the model graph keys it: case, underscores and repeated spaces ignored.

    Examples
    --------
    >>> name_key("Market_Integration")
    'market integration'
    """
    return " ".join(name.replace("_", " ").lower().split())


def cycle_key(variables) -> tuple:
    """A loop's variables as one cyclic order, independent of where the loop starts.

    A closing repeat of the first variable is dropped; the rotation starting at the
    alphabetically first variable is returned.

    Examples
    --------
    >>> cycle_key(("output", "investment", "capital", "output"))
    ('capital', 'output', 'investment')
    """
    keys = [name_key(v) for v in variables]
    if len(keys) > 1 and keys[0] == keys[-1]:
        keys = keys[:-1]
    first = keys.index(min(keys))
    return tuple(keys[first:] + keys[:first])


def named_loops(table) -> dict:
    """The `sdflow.loops` id of each named loop (`LOOPS`) found in ``table``.

    Parameters
    ----------
    table : pandas.DataFrame
        ``sdflow.loops(model)`` of a regional integration model.

    Returns
    -------
    dict
        Named loop key (``"R1"``) -> loop id in ``table`` (``"R2"``); a named loop that
        the table does not list is left out.

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdmodels.regional_integration import build
    >>> named = named_loops(sf.loops(build("jjj", stop=2006)))
    >>> named["B1"], len(named) == len(LOOPS)
    ('B1', True)
    """
    ids = {cycle_key(v): loop_id for loop_id, v in zip(table["loop"], table["variables"])}
    return {loop.key: ids[cycle_key(loop.variables)] for loop in LOOPS
            if cycle_key(loop.variables) in ids}


def find_loop(model, loop: Loop) -> str | None:
    """The id in ``sdflow.loops(model)`` of the loop realising ``loop``, or None.

    Examples
    --------
    >>> from sdmodels.regional_integration import build
    >>> find_loop(build("jjj", stop=2006), LOOPS[1])
    'B1'
    """
    import sdflow as sf

    table = sf.loops(model)
    ids = {cycle_key(v): loop_id for loop_id, v in zip(table["loop"], table["variables"])}
    return ids.get(cycle_key(loop.variables))
