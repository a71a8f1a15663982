"""Regional economic integration: local governments between cooperation and local interest.

A stock-and-flow model of the members (local governments) of an integration area, with a
``member`` dimension and a ``partner`` dimension for pairwise relations. ``build(preset)``
returns a fresh model for the Yangtze River Delta (``"yrd"``), Jing-Jin-Ji (``"jjj"``) or
the Pan-Pearl River Delta (``"pprd"``), started in 2004 from provincial data, in constant
2004 prices (units: 100 million yuan, 10,000 persons, years).

Sectors (equations in the docstrings of `economy`, `choices` and `institutions`):

* economy: capital (investment in, depreciation out), duplicate capacity (idle or
  under-used capital, part of capital), productivity, labour (population data), output
  ``Y = Y0 A (K_eff/K_eff0)^alpha (L/L0)^(1-alpha)`` times market-size and public goods
  effects and an efficiency factor (protection's deadweight, sales captured from or lost
  to partners, the cost of governance and joint projects); investment share shaped by
  expected returns, integration and tournament pressure; fiscal revenue (tax share of
  output);
* local payoffs and choices: each local government's payoff is its budget (fiscal revenue,
  benefit-sharing transfers, sanctions), the profits of its protected firms and its standing
  in the GDP tournament; protectionism is a logit choice on its perceived payoff (partners'
  sales it can divert, against deadweight, sanctions and the integration it sees at
  stake), duplicate construction a logit choice on tournament credit against idle capacity;
* information and contracts: members see partners' opportunism with delay and bias
  (visibility), contracts and central mandates cover part of the cooperation domain and
  opportunism lives in the rest; reputation remembers kept agreements;
* trust, cooperation, market integration: pairwise trust built by kept agreements and
  shared gains, eroded by seen opportunism; effort in joint projects a logit choice on
  perceived gains against the temptation to defect, carried by trust or by contracts and
  mandates; integration raised by mutual cooperation and mandates, cut by protectionism;
* market failure: a regional public goods stock fed by contributions with free-riding;
* governance levers (named constants, switched at ``policy year`` by STEP), each with a
  cost: contract enforcement, information sharing, monitoring (with graduated sanctions),
  benefit sharing (budget transfers between members) (internal); central coordination,
  evaluation reform (external); central mandates from the area's dated milestones (data).

Feedback loops (`LOOPS`; `find_loop` locates each among the loops `sdflow.loops` lists):

* R1 capital accumulation (+): capital -> effective capital -> potential output -> output
  -> investment -> capital
* B1 depreciation (-): capital -> depreciation -> capital
* B2 diminishing returns (-): capital -> return on capital -> expected return ->
  investment odds -> investment share -> investment -> capital
* B3 overcapacity (-): investment -> duplicate construction -> duplicate capacity ->
  effective capital -> potential output -> output -> return on capital -> ... -> investment
* B4 investment catch-up (-): output -> perceived growth -> growth gap -> tournament
  pressure -> investment odds -> investment share -> investment -> capital -> ... -> output
* B7 catch-up (-): output -> output per person -> catch-up potential -> productivity
  growth -> productivity -> potential output -> output
* R2 trust and cooperation (+): trust -> cooperation basis -> desired cooperation ->
  cooperation change -> cooperation -> interaction -> kept agreements -> trust building ->
  trust
* R3 shared gains (+): market integration -> realised shared gain -> gain signal -> trust
  building -> trust -> ... -> interaction -> integration gain -> market integration
* B8 temptation of open markets (-): market integration -> capture potential -> capture
  opportunity -> protection payoff -> ... -> protectionism -> segmentation -> market
  integration
* R4 stake in integration (+): market integration -> integration stake -> protection
  payoff -> ... -> protectionism -> segmentation -> market integration
* R5 distrust spiral (+): protectionism -> opportunism -> seen opportunism -> trust erosion
  -> trust -> ... -> market integration -> integration stake -> protection payoff -> ...
  -> protectionism
* R6 regional public goods (+): regional public goods -> public goods per person ->
  public goods effect -> potential output -> output -> contributions -> regional public
  goods
* B5 public goods decay (-): regional public goods -> public goods depreciation ->
  regional public goods
* R7 regional demand spillover (+ across members): output -> perceived output -> market
  ratio -> market size effect -> potential output -> output
* B6 cooperation adjustment (-): cooperation -> cooperation change -> cooperation

Examples
--------
>>> from sdmodels.regional_integration import build
>>> run = build("jjj", stop=2008).simulate()
>>> float(run["output"].sel(member="Beijing")[0])
6252.5
"""

from .dilemma import (game_type, games_by_horizon, is_prisoners_dilemma, payoff_matrix,
                      perceived_protection_payoff, unilateral_defection)
from .loops import HOLDABLE, LOOPS, Loop, find_loop, named_loops
from .model import build
from .parameters import LEVERS, PARAMETERS, parameter_names
from .presets import PRESETS, get_preset
from .segmentation import market_segmentation

__all__ = ["HOLDABLE", "LEVERS", "LOOPS", "Loop", "PARAMETERS", "PRESETS", "build",
           "find_loop", "game_type", "games_by_horizon", "get_preset", "is_prisoners_dilemma",
           "named_loops", "parameter_names", "payoff_matrix", "perceived_protection_payoff",
           "unilateral_defection"]
