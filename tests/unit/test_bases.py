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
    monkeypatch.setattr(bases.engine, "inspect_image", lambda ref: {"Config": {"Labels": {
        "slimlab.kit-note": "from the label"}}} if ref.endswith("jdk:25") else {})
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
    assert "slimlab prepare" in info.value.hint
    assert "never pulls" in info.value.message


def test_a_build_never_pulls_even_when_pulling_is_allowed(present, monkeypatch):
    monkeypatch.setenv("SLIMLAB_PULL", "1")  # prepare may pull; resolving for a build never
    with pytest.raises(BaseImageMissing):
        resolve("OS_IMAGE", "upstream")


def test_auto_never_mixes_sources_in_one_dockerfile(present):
    # the Maven builder is here upstream, the distroless base only in the kit
    present.update({"maven:3.9-eclipse-temurin-25", BY_ARG["MAVEN_IMAGE"].kit,
                    BY_ARG["RUNTIME_BASE_IMAGE"].kit})
    got = bases.resolve_all(["MAVEN_IMAGE", "RUNTIME_BASE_IMAGE"], "auto")
    assert [r.source for r in got] == ["kit", "kit"]
    present.add(BY_ARG["RUNTIME_BASE_IMAGE"].upstream)
    got = bases.resolve_all(["MAVEN_IMAGE", "RUNTIME_BASE_IMAGE"], "auto")
    assert [r.source for r in got] == ["upstream", "upstream"]


def test_auto_with_an_upstream_only_base_fails_rather_than_mix(present):
    present.update({BY_ARG["MAVEN_IMAGE"].kit, "maven:3.9-eclipse-temurin-25"})
    with pytest.raises(BaseImageMissing) as info:  # no builder upstream, none in the kit
        bases.resolve_all(["MAVEN_IMAGE", "NATIVE_BUILDER_IMAGE"], "auto")
    assert "native-image" in info.value.message


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


def test_a_kit_note_comes_from_the_image_itself(present):
    present.update({BY_ARG["JDK_IMAGE"].kit, BY_ARG["JRE_IMAGE"].kit})
    assert resolve("JDK_IMAGE", "kit").note == "from the label"  # Temurin or Debian: it knows
    assert resolve("JRE_IMAGE", "kit").note == BY_ARG["JRE_IMAGE"].kit_note
