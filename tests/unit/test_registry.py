"""What a push moved, from the registry's manifest and the engine's push events."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from slimlab import registry as registry_mod
from slimlab.engine.transfer import LayerEvent
from slimlab.registry import LayerPush, Push, Registry

MANIFEST = {"_bytes": 500, "config": {"size": 1500}, "layers": [
    {"digest": "sha256:" + "a" * 64, "size": 30_000_000},
    {"digest": "sha256:" + "b" * 64, "size": 40_000},
]}


@pytest.fixture
def reg(monkeypatch):
    registry = Registry(SimpleNamespace(port=5999))
    monkeypatch.setattr(registry, "manifest", lambda ref: MANIFEST)
    monkeypatch.setattr(registry_mod.engine, "inspect_image", lambda ref: {
        "RootFS": {"Layers": ["sha256:" + "c" * 64, "sha256:" + "d" * 64]}})
    return registry


def test_names_are_the_registrys_own_never_upstream(reg):
    assert reg.ref("bookshelf:layered") == "127.0.0.1:5999/slimlab/bookshelf:layered"
    assert reg.ref("slimlab-kit/os:trixie", "slimlab-test") == \
        "127.0.0.1:5999/slimlab-test/slimlab-kit-os:trixie"
    assert reg.ref("base").endswith(":latest")


@pytest.mark.parametrize("key", ["c" * 12, "a" * 12])  # overlay2: diff id; containerd: blob
def test_layers_already_there_send_nothing(reg, key):
    events = {key: LayerEvent(key, "Layer already exists"),
              "b" * 12: LayerEvent("b" * 12, "Pushed")}
    push = reg._report("127.0.0.1:5999/slimlab/x:1", "x:1", events)
    assert [layer.sent for layer in push.layers] == [False, True]
    assert push.sent_bytes == 40_000 + 2000  # the new layer, the manifest and the config
    assert push.stored_bytes == 30_040_000 + 2000
    assert push.rows()[0]["status"] == "Layer already exists"


def test_a_mounted_layer_is_not_sent(reg):
    events = {"a" * 12: LayerEvent("a" * 12, "Mounted from slimlab/other"),
              "b" * 12: LayerEvent("b" * 12, "Pushed")}
    assert reg._report("r", "x:1", events).sent_bytes == 42_000


def test_push_sums():
    push = Push("r", [LayerPush("sha256:1", 10, True, "Pushed"),
                      LayerPush("sha256:2", 90, False, "Layer already exists")], 5)
    assert (push.sent_bytes, push.stored_bytes) == (15, 105)
