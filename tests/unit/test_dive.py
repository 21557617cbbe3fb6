"""dive's JSON analysis read into the three figures the lab puts beside ours."""

from __future__ import annotations

from slimlab.engine import dive


def test_dives_json_gives_size_wasted_bytes_and_efficiency():
    document = {"layer": [{"index": 0, "sizeBytes": 100}],
                "image": {"sizeBytes": 181_500_000, "inefficientBytes": 91_700_000,
                          "efficiencyScore": 0.4948, "fileReference": []}}
    report = dive.parse(document, "bookshelf-demo:cleanup-later")
    assert (report.size_bytes, report.wasted_bytes) == (181_500_000, 91_700_000)
    assert report.efficiency == 0.4948


def test_the_workbooks_dive_is_found():
    assert dive.binary().endswith("dive")
