"""Lab 01's immutable layer on the engine: a file written in one RUN, deleted in the next."""

from __future__ import annotations

import pytest
from slimlab import views, workbook


@pytest.mark.engine
def test_a_later_rm_leaves_the_bytes_in_the_layer(tiny_image) -> None:
    result = tiny_image("ARG OS_IMAGE\nFROM ${OS_IMAGE}\n"
                        "RUN head -c 2000000 /dev/urandom > /blob\nRUN rm /blob\n")
    rows = views.filesystem_layers(result.tag)
    blob = [r for r in rows if "/blob" in r["instruction"]]
    assert [r["instruction"].split()[1] for r in blob] == ["head", "rm"]
    assert blob[0]["size_bytes"] >= 2_000_000
    assert blob[1]["size_bytes"] == 0
    assert workbook.image(result.tag).wasted_bytes >= 2_000_000
