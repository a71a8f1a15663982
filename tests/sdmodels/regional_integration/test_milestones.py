"""Cooperation milestones per area (sdmodels/regional_integration/milestones.py).

Expected dates are those of calibration/data/regional_cooperation_milestones.csv, which the
regional model v2 issue lists as YRD 2008, 2010, 2016, 2018-19; Jing-Jin-Ji 2015; Pan-PRD 2004.
"""

import pytest

from sdflow.errors import DataError
from sdmodels.regional_integration.milestones import cooperation_milestones


def test_yrd_milestones_of_the_issue():
    yrd = cooperation_milestones("YRD")
    assert list(yrd.columns) == ["year", "date", "event", "document_number"]
    assert yrd["date"].tolist() == ["1992", "1997", "2008-08-06", "2008-09-16", "2010-05-24",
                                    "2016-05-22", "2018-11-05", "2019-05-13", "2019-12-01"]
    assert "国发〔2008〕30号" in yrd["document_number"].tolist()


def test_jjj_includes_the_bohai_rim_agreement_and_the_2015_outline():
    jjj = cooperation_milestones("jjj")
    assert jjj["year"].tolist() == [2004, 2015, 2015]
    assert "Bohai Rim" in jjj["event"].iloc[0]


def test_pprd_starts_with_the_2004_framework_agreement():
    pprd = cooperation_milestones("pprd")
    assert len(pprd) == 15
    assert pprd["date"].iloc[0] == "2004-06-03"
    assert pprd["year"].is_monotonic_increasing


def test_unknown_area_lists_the_known_ones():
    with pytest.raises(DataError, match=r"\['Bohai Rim', 'JJJ', 'PPRD', 'YRD'\]"):
        cooperation_milestones("PRD")


def test_malformed_date_is_named(tmp_path):
    path = tmp_path / "milestones.csv"
    path.write_text("date,region,event,document_number\n2008/09,YRD,opinions,\n")
    with pytest.raises(DataError, match=r"dates \['2008/09'\] \(file lines \[2\]\)"):
        cooperation_milestones("YRD", path=path)
