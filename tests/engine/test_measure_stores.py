"""One image measures the same on every engine and image store.

CI runs the engine tests on Engine 26's overlay2 store, saves the kit, loads it into the
containerd store and runs them again: the same kit image, two stores. Each run reads the
image from this engine's own `docker save` (no layer cache) and keeps its figures under
SLIMLAB_HOME/store-figures/<store>.json; a run on another store compares against them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import in_ci
from slimlab import config
from slimlab.engine.doctor import image_store

pytestmark = pytest.mark.engine

IMAGE = "slimlab-kit/distroless:trixie"  # small, several layers, a symlinked /lib
TOLERANCE = 0.02


def _measure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    from slimlab.metrics import image as image_mod

    monkeypatch.setenv("SLIMLAB_HOME", str(tmp_path))  # an empty layer cache
    monkeypatch.setattr(image_mod, "_reports", {})
    report = image_mod.inspect(IMAGE)
    assert len(report.layer_rows()) == report.layer_count  # one row per layer, always
    assert report.size_bytes == sum(layer.content_bytes for layer in report.layers)
    return {"size_bytes": report.size_bytes, "pull_bytes": report.pull_bytes,
            "layers": report.layer_count, "wasted_bytes": report.wasted_bytes,
            "files": len(report.fs.files)}


def test_a_kit_image_measures_the_same_on_every_store(engine, tmp_path, monkeypatch):
    store = image_store(engine.info())
    figures_dir = config.home() / "store-figures"  # the real home, before the test's own
    facts = _measure(tmp_path, monkeypatch)
    assert facts["size_bytes"] > 1_000_000 and facts["pull_bytes"] < facts["size_bytes"]
    figures_dir.mkdir(parents=True, exist_ok=True)
    (figures_dir / f"{store}.json").write_text(json.dumps(facts))
    others = {p.stem: json.loads(p.read_text()) for p in figures_dir.glob("*.json")
              if p.stem != store}
    if not others and in_ci() and os.environ.get("SLIMLAB_STAGE_STORE") == "containerd":
        pytest.fail("CI ran the overlay2 store first, yet its figures are missing")
    for other, theirs in others.items():
        assert facts["layers"] == theirs["layers"], other
        assert facts["files"] == theirs["files"], other
        for key in ("size_bytes", "pull_bytes", "wasted_bytes"):
            assert abs(facts[key] - theirs[key]) <= TOLERANCE * max(theirs[key], 1), (
                f"{key}: {facts[key]:,} on {store}, {theirs[key]:,} on {other}")


def test_size_agrees_with_the_overlay2_stores_own_history(engine, tmp_path, monkeypatch):
    """On overlay2, `docker history` counts file bytes too: our size must agree with it.
    (The containerd store rounds each file up to 4 KiB blocks, so it is no reference.)"""
    if image_store(engine.info()) == "containerd":
        pytest.skip("history sizes on the containerd store are block-rounded")
    facts = _measure(tmp_path, monkeypatch)
    history = sum(max(0, row["Size"]) for row in engine.api.history(IMAGE))
    assert abs(facts["size_bytes"] - history) <= TOLERANCE * history, (facts, history)
