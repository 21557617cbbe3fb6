"""The kit's host tools end in a KitError that says which tool and what to do."""

from __future__ import annotations

import pytest
from slimlab.errors import KitError
from slimlab.kit import tools


def test_a_tool_that_hangs_is_stopped_and_named():
    with pytest.raises(KitError) as info:
        tools.run_tool(["bash", "-c", "echo started >&2; sleep 30"], what="A slow download",
                  timeout=0.5)
    assert "A slow download did not finish" in info.value.message and info.value.hint


def test_a_missing_tool_says_how_to_install_it():
    with pytest.raises(KitError, match="not installed") as info:
        tools.run_tool(["no-such-tool-slimlab"], what="Testing", timeout=5)
    assert "apt-get install no-such-tool-slimlab" in info.value.hint


def test_a_failing_tool_carries_its_output():
    with pytest.raises(KitError) as info:
        tools.run_tool(["bash", "-c", "echo boom >&2; exit 3"], what="Packing", timeout=5,
                  check=True)
    assert "exit 3" in info.value.message and "boom" in info.value.log
    assert tools.run_tool(["true"], what="Nothing", timeout=5).returncode == 0
