"""`slimlab prepare` decisions per profile, pull setting and network, with a fake engine."""

from __future__ import annotations

import pytest
from slimlab.errors import BaseImageMissing, ConfigError, PullFailed
from slimlab.kit import prepare
from slimlab.kit.bases import BASES
from slimlab.kit.images import KIT


@pytest.fixture
def engine(monkeypatch):
    """A fake engine: ``images`` it has, ``pulls`` asked for, ``offline`` to fail them."""
    class Fake:
        def __init__(self) -> None:
            self.images: set[str] = set()
            self.pulls: list[str] = []
            self.offline = False

    fake = Fake()

    def pull(ref, on_event=None):
        if fake.offline:
            raise prepare.engine.transfer.transfer_error(ref, "dial tcp: lookup x: no such host")
        fake.pulls.append(ref)
        on_event(prepare.LayerEvent("l1", "Downloading", 50, 100))
        on_event(prepare.LayerEvent("l1", "Download complete"))
        fake.images.add(ref)

    monkeypatch.setattr(prepare.engine, "image_exists", lambda ref: ref in fake.images)
    monkeypatch.setattr(prepare.engine, "platform", lambda: ("linux", "amd64"))
    monkeypatch.setattr(prepare.engine, "pull", pull)
    monkeypatch.setattr(prepare, "download_size", lambda ref, platform: 123_000_000)
    for name in ("SLIMLAB_PROFILE", "SLIMLAB_PULL"):
        monkeypatch.delenv(name, raising=False)
    return fake


def test_a_laptop_with_internet_pulls_every_missing_upstream_image(engine):
    lines: list[str] = []
    assert prepare.prepare(echo=lines.append) == "upstream"
    assert engine.pulls == [b.upstream for b in BASES]
    assert any("123 MB" in line for line in lines)  # sizes listed before pulling
    assert any("pulled debian:trixie-slim: 0 MB" in line for line in lines)


def test_nothing_to_do_when_everything_is_here(engine):
    engine.images.update(b.upstream for b in BASES)
    assert prepare.prepare(echo=lambda _: None) == "nothing"
    assert engine.pulls == []


def test_offline_under_auto_falls_back_to_the_kit_where_it_can_be_built(engine, monkeypatch):
    engine.offline = True
    monkeypatch.setattr(prepare.shutil, "which", lambda tool: "/usr/sbin/" + tool)
    assert prepare.prepare(echo=lambda _: None) == "kit"


def test_offline_without_debootstrap_or_a_bundle_says_load_a_bundle(engine, monkeypatch):
    engine.offline = True
    monkeypatch.setattr(prepare.shutil, "which", lambda tool: None)
    with pytest.raises(BaseImageMissing) as info:
        prepare.prepare(echo=lambda _: None)
    assert "bundle load" in info.value.hint


def test_offline_with_a_loaded_bundle_uses_it(engine, monkeypatch):
    engine.offline = True
    engine.images.update(image.tag for image in KIT)
    monkeypatch.setattr(prepare.shutil, "which", lambda tool: None)
    assert prepare.prepare(echo=lambda _: None) == "kit"


@pytest.mark.parametrize(("profile", "pull"), [("upstream", "auto"), ("auto", "1")])
def test_offline_is_an_error_when_upstream_is_required(engine, monkeypatch, profile, pull):
    engine.offline = True
    monkeypatch.setenv("SLIMLAB_PROFILE", profile)
    monkeypatch.setenv("SLIMLAB_PULL", pull)
    with pytest.raises(PullFailed) as info:
        prepare.prepare(echo=lambda _: None)
    assert info.value.cause == prepare.OFFLINE


def test_pull_0_never_pulls(engine, monkeypatch):
    monkeypatch.setenv("SLIMLAB_PULL", "0")
    monkeypatch.setattr(prepare.shutil, "which", lambda tool: "/usr/sbin/" + tool)
    assert prepare.prepare(echo=lambda _: None) == "kit"
    monkeypatch.setenv("SLIMLAB_PROFILE", "upstream")
    with pytest.raises(BaseImageMissing):
        prepare.prepare(echo=lambda _: None)
    assert engine.pulls == []


def test_a_bad_pull_setting_is_a_config_error(engine, monkeypatch):
    monkeypatch.setenv("SLIMLAB_PULL", "yes")
    with pytest.raises(ConfigError, match="SLIMLAB_PULL"):
        prepare.prepare(echo=lambda _: None)


def test_progress_counts_downloaded_bytes_not_layers_already_here():
    bar = prepare.PullProgress("x:1", expected=300)
    bar(prepare.LayerEvent("a", "Already exists"))
    bar(prepare.LayerEvent("b", "Downloading", 100, 200))
    assert (bar.bar.n, bar.bar.total) == (100, 300)
    bar(prepare.LayerEvent("b", "Download complete"))
    bar.close()
    assert bar.downloaded == 200


def test_sizes_are_not_asked_again_once_the_registry_did_not_answer(engine, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(prepare, "download_size", lambda ref, platform: asked.append(ref))
    plan = prepare.upstream_plan()
    assert len(asked) == 1 and all(w.download_bytes is None for w in plan)
