"""The project's relative-price segmentation index against published studies of Chinese
market segmentation (the comparisons are of direction and rank: no published values of the
same index for the same provinces and years were found, so no level is compared).

* Huang Xinfei and Chen Shanshan, "Price Differences, Market Segmentation and China
  Provincial Border Effect", Economic Research Journal (erj.cn): weekly prices of nine
  agricultural products in 183 farmers' markets of 13 Yangtze River Delta cities, May 2011
  to September 2013; provincial border effects Shanghai-Zhejiang 103.4 %, Shanghai-Jiangsu
  68.9 %, Jiangsu-Zhejiang 25.3 %: Jiangsu-Zhejiang is the least segmented pair.
* "Research on the Dynamic Evolution, Regional Differences, and Convergence of Commodity
  Market Segmentation in China" (Research Square preprint 10.21203/rs.3.rs-6481679):
  consumer price indices of eight categories in 281 cities, 2001-2021, relative-price
  method; the index declines nationally and in all four economic regions.
"""

import numpy as np
import pytest

from sdmodels.regional_integration.observed import national_segmentation


@pytest.fixture(scope="module")
def segmentation():
    return national_segmentation()


def _pair(seg, a, b, years):
    rows = seg[seg.year.between(*years) & (((seg.province_a == a) & (seg.province_b == b))
                                           | ((seg.province_a == b) & (seg.province_b == a)))]
    assert len(rows) == years[1] - years[0] + 1
    return rows.segmentation.mean()


def test_jiangsu_zhejiang_is_the_least_segmented_yrd_pair_in_2011_2013(segmentation):
    # Huang and Chen: border effect Jiangsu-Zhejiang 25 % against 69-103 % for the Shanghai
    # pairs; the index, 2011-2013 mean (x 1e4): JS-ZJ 1.06, SH-ZJ 2.68, SH-JS 3.39
    js_zj = _pair(segmentation, "Jiangsu", "Zhejiang", (2011, 2013))
    for a, b in (("Shanghai", "Zhejiang"), ("Shanghai", "Jiangsu")):
        assert js_zj < _pair(segmentation, a, b, (2011, 2013)) / 2


def test_national_segmentation_declines_2004_2018(segmentation):
    # the 281-city study: the index declines over 2001-2021; here the mean over the 465
    # province pairs has a log-linear trend of -7.7 % a year over 2004-2018
    mean = segmentation.groupby("year").segmentation.mean().loc[2004:2018]
    slope = np.polyfit(mean.index, np.log(mean.values), 1)[0]
    assert -0.12 < slope < -0.04
    assert mean.loc[2016:2018].mean() < mean.loc[2004:2006].mean() / 2
