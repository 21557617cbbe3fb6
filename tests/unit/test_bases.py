"""Base-image resolution per profile, with a fake engine (monkeypatched image_exists)."""

from __future__ import annotations

import pytest
from slimlab.errors import BaseImageMissing, ConfigError
from slimlab.kit import bases
from slimlab.kit.bases import BASES, BY_ARG, KIT_PREFIX, available, resolve


@pytest.fixture
def present(monkeypatch):
    """The set of image refs the fake engine has; tests add to it."""
    images: set[str] = set()
    monkeypatch.setattr(bases.engine, "image_exists", lambda ref: ref in images)
    monkeypatch.delenv("SLIMLAB_PULL", raising=False)
    monkeypatch.delenv("SLIMLAB_PROFILE", raising=False)
    return images


def test_every_kit_image_has_its_own_name():
    for base in BASES:
        assert base.kit == "" or base.kit.startswith(KIT_PREFIX)
        assert base.kit != base.upstream
        assert not base.upstream.startswith(KIT_PREFIX)


def test_kit_profile_uses_the_kit_image_and_its_note(present):
    present.add(BY_ARG["JRE_IMAGE"].kit)
    got = resolve("JRE_IMAGE", "kit")
    assert got.image == "slimlab-kit/jre:25" and got.source == "kit"
    assert got.note == BY_ARG["JRE_IMAGE"].kit_note


def test_kit_profile_ignores_a_present_upstream_image(present):
    present.update({"eclipse-temurin:25-jre", "slimlab-kit/jre:25"})
    assert resolve("JRE_IMAGE", "kit").image == "slimlab-kit/jre:25"


def test_kit_image_not_built_yet(present):
    with pytest.raises(BaseImageMissing) as info:
        resolve("JDK_IMAGE", "kit")
    assert "make kit" in info.value.hint


def test_upstream_profile_present(present):
    present.add("eclipse-temurin:25-jdk")
    assert resolve("JDK_IMAGE", "upstream").image == "eclipse-temurin:25-jdk"


def test_upstream_profile_missing_and_no_pull(present):
    present.add("slimlab-kit/jdk:25")  # the kit does not rescue profile upstream
    with pytest.raises(BaseImageMissing) as info:
        resolve("JDK_IMAGE", "upstream")
    assert "docker pull eclipse-temurin:25-jdk" in info.value.hint


def test_upstream_profile_missing_but_pull_allowed(present, monkeypatch):
    monkeypatch.setenv("SLIMLAB_PULL", "1")
    got = resolve("OS_IMAGE", "upstream")
    assert (got.image, got.source) == ("debian:trixie-slim", "upstream")


def test_auto_prefers_upstream_when_present(present):
    present.update({"debian:trixie-slim", "slimlab-kit/os:trixie"})
    assert resolve("OS_IMAGE", "auto").source == "upstream"


def test_auto_falls_back_to_the_kit(present):
    present.add("slimlab-kit/os:trixie")
    assert resolve("OS_IMAGE", "auto").image == "slimlab-kit/os:trixie"


def test_auto_with_neither(present):
    with pytest.raises(BaseImageMissing):
        resolve("MAVEN_IMAGE", "auto")


def test_no_kit_stand_in_for_native_image(present):
    with pytest.raises(BaseImageMissing) as info:
        resolve("NATIVE_BUILDER_IMAGE", "kit")
    assert "stand-in" in str(info.value) and "docker pull" in info.value.hint
    assert not available("NATIVE_BUILDER_IMAGE", "auto")
    present.add("ghcr.io/graalvm/native-image-community:25")
    assert available("NATIVE_BUILDER_IMAGE", "auto")


def test_profile_comes_from_the_environment(present, monkeypatch):
    present.update({"maven:3.9-eclipse-temurin-25", "slimlab-kit/maven:3.9-jdk25"})
    monkeypatch.setenv("SLIMLAB_PROFILE", "KIT")
    assert resolve("MAVEN_IMAGE").source == "kit"
    monkeypatch.setenv("SLIMLAB_PROFILE", "upstream")
    assert resolve("MAVEN_IMAGE").source == "upstream"
    monkeypatch.setenv("SLIMLAB_PROFILE", "nonsense")
    with pytest.raises(ConfigError):
        resolve("MAVEN_IMAGE")


def test_unknown_argument():
    with pytest.raises(KeyError):
        resolve("NOT_AN_ARG", "kit")
