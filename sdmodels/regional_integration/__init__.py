"""Regional economic integration: local governments between cooperation and local interest.

A stock-and-flow model of the members (local governments) of an integration area, with a
``member`` dimension and a ``partner`` dimension for pairwise relations. ``build(preset)``
returns a fresh model for the Yangtze River Delta (``"yrd"``), Jing-Jin-Ji (``"jjj"``) or
the Pan-Pearl River Delta (``"pprd"``), started in 2004 from provincial data, in constant
2004 prices (units: 100 million yuan, 10,000 persons, years).

Sectors (equations in the docstrings of `economy` and `institutions`):

* economy: capital (investment in, depreciation out), productivity, labour (population
  data), output ``Y = Y0 A (K/K0)^alpha (L/L0)^(1-alpha)`` times market-size and public
  goods effects, investment share shaped by expected returns, integration and tournament
  pressure;
* market integration: pairwise integration raised by mutual cooperation, cut by
  protectionism; it raises productivity growth and the effective market;
* trust: pairwise trust built by kept agreements and realised shared gains, eroded by
  perceived opportunism (SMOOTH) and decaying without contact;
* cooperation: pairwise effort in joint projects, trust times a logistic choice between
  perceived shared gains and local interest;
* market failure: a regional public goods stock fed by contributions with free-riding;
* government failure: local protectionism, duplicate construction (overcapacity lowering
  returns), GDP-tournament pressure;
* governance levers (named constants, switched at ``policy year`` by STEP): contract
  enforcement, information sharing, monitoring, benefit sharing (internal); central
  coordination, evaluation reform (external).

Feedback loops (`LOOPS`; each is found in the model graph by `find_loop`):

* R1 capital accumulation (+): capital -> output -> investment -> capital
* B1 depreciation (-): capital -> depreciation -> capital
* B2 diminishing returns (-): capital -> return on capital -> expected return ->
  investment odds -> investment share -> investment -> capital
* B3 overcapacity (-): investment -> duplicate construction -> duplicate capacity ->
  overcapacity share -> return on capital -> expected return -> investment odds ->
  investment share -> investment
* B4 investment catch-up (-): output -> perceived growth -> growth gap -> tournament
  pressure -> investment odds -> investment share -> investment -> capital -> output
* B7 catch-up (-): output -> output per person -> catch-up potential -> productivity
  growth -> productivity -> output
* R2 trust and cooperation (+): trust -> desired cooperation -> cooperation change ->
  cooperation -> interaction -> kept agreements -> trust building -> trust
* R3 shared gains (+): market integration -> realised shared gain -> gain signal ->
  trust building -> trust -> desired cooperation -> cooperation change -> cooperation ->
  interaction -> integration gain -> market integration
* R4 tournament trap (+): protectionism -> segmentation -> market integration -> market
  ratio -> market size effect -> output -> perceived growth -> growth gap -> tournament
  pressure -> protection rise -> protectionism
* R5 distrust spiral (+): protectionism -> opportunism -> perceived opportunism -> trust
  erosion -> trust -> mean trust -> protection fall -> protectionism
* R6 regional public goods (+): regional public goods -> public goods per person ->
  public goods effect -> output -> contributions -> regional public goods
* B5 public goods decay (-): regional public goods -> public goods depreciation ->
  regional public goods
* R7 regional demand spillover (+ across members): output -> perceived output -> market
  ratio -> market size effect -> output
* B6 cooperation adjustment (-): cooperation -> cooperation change -> cooperation

Examples
--------
>>> from sdmodels.regional_integration import build
>>> run = build("jjj", stop=2008).simulate()
>>> float(run["output"].sel(member="Beijing")[0])
6252.5
"""

from .loops import LOOPS, Loop, find_loop
from .model import build
from .parameters import LEVERS, PARAMETERS, parameter_names
from .presets import PRESETS, get_preset
from .segmentation import market_segmentation

__all__ = ["LEVERS", "LOOPS", "Loop", "PARAMETERS", "PRESETS", "build", "find_loop",
           "get_preset", "parameter_names"]
