"""dive's JSON analysis read into the three figures the lab puts beside ours."""

from __future__ import annotations

import pytest
from slimlab.engine import dive
from slimlab.errors import ToolFailed


def test_dives_json_gives_size_wasted_bytes_and_efficiency():
    document = {"layer": [{"index": 0, "sizeBytes": 100}],
                "image": {"sizeBytes": 181_500_000, "inefficientBytes": 91_700_000,
                          "efficiencyScore": 0.4948, "fileReference": []}}
    report = dive.parse(document, "bookshelf-demo:cleanup-later")
    assert (report.size_bytes, report.wasted_bytes) == (181_500_000, 91_700_000)
    assert report.efficiency == 0.4948


def test_the_workbooks_dive_is_found():
    assert dive.binary().endswith("dive")


def test_a_document_without_the_image_figures_is_an_error_not_zeros():
    with pytest.raises(ToolFailed) as info:
        dive.parse({"layer": []}, "x:1")
    assert "lacks its image figures" in info.value.message
