"""Lab 03's tables, no engine: each is the scoreboard over the lab's stages, cut to the
columns of one part of the story, and the step-by-step savings in %."""

from __future__ import annotations

import pytest
from slimlab import workbook
from slimlab.labs import jre
from slimlab.report import WRITEUP_SIZE_COLUMN

STAGES = {
    "basic": {"size_bytes": 800_000_000, "pull_bytes": 400_000_000, "ready_s": 3.0},
    "multi": {"size_bytes": 400_000_000, "pull_bytes": 200_000_000, "ready_s": 2.9},
    "jre": {"size_bytes": 300_000_000, "pull_bytes": 100_000_000, "ready_s": 2.8},
    "alpine": {"size_bytes": 150_000_000, "pull_bytes": 100_000_000, "ready_s": 2.8},
}


@pytest.mark.parametrize(("view", "columns"), [
    (jre.startup_table, jre.STARTUP_COLUMNS), (jre.surface_table, jre.SURFACE_COLUMNS),
    (jre.size_table, jre.SIZE_COLUMNS)])
def test_each_table_shows_its_columns_for_every_stage(view, columns) -> None:
    table = view(STAGES)
    assert list(table.columns) == columns
    assert list(table.index) == list(jre.STAGES)


def test_shrink_table_is_the_saving_over_the_previous_stage() -> None:
    table = jre.shrink_table(STAGES)
    assert list(table.columns) == [jre.SHRINK_PREFIX + c for c in jre.SHRINK_COLUMNS]
    size = table[jre.SHRINK_PREFIX + "size MB"]
    assert size.isna().iloc[0]  # nothing before the first stage
    assert list(size.iloc[1:]) == [50.0, 25.0, 50.0]
    assert table.loc["alpine", jre.SHRINK_PREFIX + "pull MB"] == 0.0
    assert table.loc["multi", jre.SHRINK_PREFIX + WRITEUP_SIZE_COLUMN] == pytest.approx(38.0)


def test_each_stage_is_measured_then_read_back(monkeypatch) -> None:
    measured: list[str] = []
    monkeypatch.setattr(workbook, "measure", measured.append)
    monkeypatch.setattr(jre, "load_measurements", lambda: {**STAGES, "native": {}})
    assert jre.measure_each(["jre", "alpine"]) == {"jre": STAGES["jre"],
                                                   "alpine": STAGES["alpine"]}
    assert measured == ["jre", "alpine"]


def test_startups_are_timed_together_then_read_back(monkeypatch) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(workbook, "startup", started.append)
    monkeypatch.setattr(jre, "load_measurements", lambda: STAGES)
    assert list(jre.start_each(jre.STAGES)) == list(jre.STAGES)
    assert started == [list(jre.STAGES)]
