"""Lab 01's immutable layers on the engine: a file written in one RUN, deleted in the next;
and apt's lists, counted in every layer as the same-RUN cleanup exercise measures them."""

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


@pytest.mark.engine
def test_apt_lists_count_in_any_layer_unless_removed_in_the_same_run(tiny_image) -> None:
    """What the same-RUN cleanup exercise measures: lists a later RUN deletes still count."""
    from slimlab.labs import layers

    write = "mkdir -p /var/lib/apt/lists && head -c 300000 /dev/urandom > /var/lib/apt/lists/x"
    later = tiny_image(f"ARG OS_IMAGE\nFROM ${{OS_IMAGE}}\nRUN {write}\n"
                       "RUN rm -rf /var/lib/apt/lists/*\n")
    same = tiny_image(f"ARG OS_IMAGE\nFROM ${{OS_IMAGE}}\nRUN {write} "
                      "&& rm -rf /var/lib/apt/lists/*\n")
    assert not workbook.image(later.tag).has("/var/lib/apt/lists/x")  # gone from the view…
    assert layers.lists_bytes(workbook.image(later.tag)) >= 300_000  # …not from the layer
    assert layers.lists_bytes(workbook.image(same.tag)) == 0
