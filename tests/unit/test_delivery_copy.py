"""The delivery measurements change a copy of the app, never the learner's sources."""

from __future__ import annotations

import pytest
from slimlab import config
from slimlab.metrics.delivery import CHANGED_SOURCE, changed_copy, pom_change


@pytest.mark.parametrize("what,path,needle", [("source", CHANGED_SOURCE, "CHANGE_MARKER"),
                                              ("pom", "pom.xml", "<slimlab.change>")])
def test_a_one_line_change_on_a_copy(what, path, needle):
    original = (config.repo_root() / "sample-app" / path).read_text()
    with changed_copy(what=what) as copy:
        changed = (copy / path).read_text()
        assert needle in changed and needle not in original
        new = [line for line in changed.splitlines() if line not in original.splitlines()]
        assert len(new) == 1 and needle in new[0]  # one line, and only that one
        assert not (copy / "target").exists()
    assert not copy.exists()
    assert (config.repo_root() / "sample-app" / path).read_text() == original


def test_a_file_without_its_anchor_says_what_to_update(tmp_path):
    pom = tmp_path / "pom.xml"
    pom.write_text("<project/>")
    with pytest.raises(ValueError, match="no longer has '<properties>'"):
        pom_change(pom, "x")
