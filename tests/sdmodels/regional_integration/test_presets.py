"""Presets (sdmodels/regional_integration/presets.py): members match the data's names."""

import pytest

from sdflow.errors import ModelError
from sdmodels.regional_integration import PRESETS, get_preset
from sdmodels.regional_integration.data import region_data


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_member_is_in_every_data_file(key):
    data = region_data(PRESETS[key].members)  # raises DataError on a missing province
    assert len(data.capital0) == len(PRESETS[key].members)


def test_member_lists_follow_the_integration_areas():
    assert get_preset("yrd").members == ("Shanghai", "Jiangsu", "Zhejiang", "Anhui")
    assert get_preset("jjj").members == ("Beijing", "Tianjin", "Hebei")
    assert len(get_preset("pprd").members) == 9


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ModelError, match="jjj"):
        get_preset("bohai")
