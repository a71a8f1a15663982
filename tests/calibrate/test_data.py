"""Reading observed series: layouts, keys, units, missing values and bad data.

Expected values are read off the CSV text written in each test, or (for the real data) the
checks listed in calibration/data/PROVENANCE.md.
"""

from pathlib import Path

import numpy as np
import pytest

from sdflow import DataError
from sdflow.calibrate.data import ObservedSeries, deflate, read_series

DATA = Path(__file__).resolve().parents[2] / "calibration" / "data"


def write(tmp_path, text, name="obs.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_long_and_wide_layouts_give_the_same_series(tmp_path):
    long = write(tmp_path, "province,year,gdp\nA,2004,1\nB,2004,2\nA,2005,3\nB,2005,4\n")
    wide = write(tmp_path, "year,A,B\n2004,1,2\n2005,3,4\n", "wide.csv")
    a = read_series(long, "gdp", value="gdp", key="province")
    b = read_series(wide, "gdp", layout="wide", keys=["A", "B"])
    assert a.elements == b.elements == ("A", "B")
    np.testing.assert_array_equal(a.values, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.times, [2004, 2005])


def test_keys_map_data_names_to_model_elements_and_filter_rows(tmp_path):
    path = write(tmp_path, "province,year,gdp\nShanghai,2004,1\nJiangsu,2004,2\nTibet,2004,9\n")
    s = read_series(path, "gdp", value="gdp", key="province",
                    keys={"Jiangsu": "JS", "Shanghai": "SH"}, allowed=["SH", "JS"])
    assert s.elements == ("JS", "SH")
    assert s.values.tolist() == [[2.0, 1.0]]


def test_units_are_converted_with_pint(tmp_path):
    path = write(tmp_path, "year,pop\n2000,1.5\n")
    s = read_series(path, "pop", value="pop", units="10000 * person", to_units="million * person")
    assert s.values[0, 0] == pytest.approx(0.015)          # 1.5 x 10^4 = 0.015 x 10^6
    assert s.elements == ()


def test_missing_values_are_kept_as_nan_and_reported(tmp_path):
    path = write(tmp_path, "province,year,gdp\nA,2004,1\nA,2005,\nB,2004,NA\nB,2005,4\n")
    s = read_series(path, "gdp", value="gdp", key="province")
    assert s.missing == ((2004.0, "B"), (2005.0, "A"))
    assert s.n_observed == 2


@pytest.mark.parametrize("text, where", [
    ("province,year,gdp\nA,2004,1\nA,2005,abc\n", "line 3, column 'gdp'"),
    ("province,year,gdp\nA,2004,1\nA,2004,2\n", "line 3, column 'year'"),
    ("province,year,gdp\nA,2004,1\nAtlantis,2004,2\n", "line 3, column 'province'"),
    ("province,year,gdp\nA,two thousand,1\n", "line 2, column 'year'"),
])
def test_bad_cells_name_file_line_and_column(tmp_path, text, where):
    path = write(tmp_path, text)
    with pytest.raises(DataError) as error:
        read_series(path, "gdp", value="gdp", key="province", allowed=["A", "B"])
    assert where in str(error.value) and str(path) in str(error.value)


def test_unit_mismatch_and_unknown_key_and_column(tmp_path):
    path = write(tmp_path, "province,year,gdp\nA,2004,1\n")
    with pytest.raises(DataError, match="cannot be converted"):
        read_series(path, "gdp", value="gdp", key="province", units="person",
                    to_units="yuan")
    with pytest.raises(DataError, match="no rows with province = 'Shanghai'"):
        read_series(path, "gdp", value="gdp", key="province", keys=["Shanghai"])
    with pytest.raises(DataError, match="no column 'GDP'"):
        read_series(path, "gdp", value="GDP", key="province")
    with pytest.raises(DataError, match="not an element"):
        read_series(path, "gdp", value="gdp", key="province", keys={"A": "Z"}, allowed=["A"])


def test_real_gdp_file_matches_provenance_checks():
    s = read_series(DATA / "china_provincial_gdp_2004_2018.csv", "gdp", value="gdp_100m_yuan",
                    key="province", keys=["Guangdong", "Jiangsu", "Shanghai"])
    last = s.values[list(s.times).index(2018)]
    assert last.round().tolist() == [99945, 93208, 36012]     # PROVENANCE.md "Checks"
    assert s.missing == ()


def test_deflate_rebases_and_carries_the_index_forward():
    nominal = ObservedSeries("gdp", np.array([2004.0, 2005, 2006]),
                             np.array([[10.0, 20], [11, 22], [12, 30]]), ("A", "B"))
    index = ObservedSeries("p", np.array([2003.0, 2004, 2005]),
                           np.array([[1.0, 1.0], [2.0, 4.0], [2.2, 5.0]]), ("A", "B"))
    real = deflate(nominal, index, 2004)
    np.testing.assert_allclose(real.values, [[10, 20], [10, 17.6], [12 / 1.1, 24]])
    assert len(real.notes) == 2 and "2005 carried forward" in real.notes[0]
    with pytest.raises(DataError, match="no year 1990"):
        deflate(nominal, index, 1990)


def test_a_decimal_comma_is_refused_not_read_as_a_thousands_separator(tmp_path):
    # "70,2" used to lose its comma and come back as 702
    path = write(tmp_path, 'province,year,share\nA,2004,70.1\nA,2005,"70,2"\n')
    with pytest.raises(DataError) as error:
        read_series(path, "share", value="share", key="province")
    message = str(error.value)
    assert f"{path}, line 3, column 'share'" in message and 'decimal = ","' in message


def test_decimal_commas_are_read_when_the_series_says_so(tmp_path):
    path = write(tmp_path, 'year,A,B\n2004,"70,2","1,5"\n2005,"71",\n')
    s = read_series(path, "share", layout="wide", decimal=",")
    assert s.values.tolist()[0] == [70.2, 1.5]          # the cells of line 2 above
    bad = write(tmp_path, 'year,share\n2004,"1.070,2"\n', "bad.csv")
    with pytest.raises(DataError, match="line 2, column 'share'.*has a point"):
        read_series(bad, "share", value="share", decimal=",")


def test_a_spec_series_passes_its_decimal_mark_to_the_reader(tmp_path):
    import dataclasses

    from sdflow.calibrate import calibrate
    from sdflow.calibrate.examples import decay_spec
    spec = decay_spec(tmp_path)
    # the example's data (Euler decay with k = 0.3), written with decimal commas
    (tmp_path / "x.csv").write_text("year,x\n" + "".join(
        f'{t},"{repr((1 - 0.075) ** (4 * t)).replace(".", ",")}"\n' for t in range(1, 5)))
    with pytest.raises(DataError, match="line 2, column 'x'.*holds a comma"):
        calibrate(spec)
    comma = dataclasses.replace(spec, series=[dataclasses.replace(spec.series[0], decimal=",")])
    assert calibrate(comma).estimates["k"] == pytest.approx(0.3)
