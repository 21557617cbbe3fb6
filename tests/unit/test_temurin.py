"""The kit's JDK is this machine's Temurin 25 when there is one, Debian's OpenJDK if not."""

from __future__ import annotations

from pathlib import Path

import pytest
from slimlab.kit import images, temurin


def _jdk(tmp_path: Path, implementor: str, version: str = "25.0.3") -> Path:
    home = tmp_path / implementor.replace(" ", "-")
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "jlink").write_text("")
    (home / "release").write_text(f'IMPLEMENTOR="{implementor}"\nJAVA_VERSION="{version}"\n'
                                  f'IMPLEMENTOR_VERSION="Temurin-{version}+9"\n')
    return home


def test_only_a_temurin_25_qualifies(tmp_path):
    assert temurin.is_temurin_25(_jdk(tmp_path, "Eclipse Adoptium"))
    assert not temurin.is_temurin_25(_jdk(tmp_path, "Debian"))
    assert not temurin.is_temurin_25(_jdk(tmp_path / "old", "Eclipse Adoptium", "21.0.5"))
    assert temurin.build_name(_jdk(tmp_path / "b", "Eclipse Adoptium")) == "Temurin-25.0.3+9"


@pytest.mark.parametrize(("vendor", "expected"), [("Eclipse Adoptium", "jdk-temurin"),
                                                  ("Debian", "jdk")])
def test_the_kit_jdk_follows_the_machine(tmp_path, monkeypatch, vendor, expected):
    home = _jdk(tmp_path, vendor)
    monkeypatch.setattr("slimlab.kit.maven.java25_home", lambda: str(home))
    assert images._variant(images.BY_NAME["jdk"]).dockerfile.parent.name == expected
    assert images._variant(images.BY_NAME["jdk"]).name == "jdk"  # one kit name either way
    assert images._variant(images.BY_NAME["jre"]) is images.BY_NAME["jre"]


def test_another_temurin_build_is_another_recipe(tmp_path, monkeypatch):
    monkeypatch.setattr(images.engine, "inspect_image",
                        lambda ref: {"RootFS": {"Layers": ["sha256:os"]}})
    recipes = set()
    for version in ("25.0.3", "25.0.4"):
        home = _jdk(tmp_path / version, "Eclipse Adoptium", version)
        monkeypatch.setattr("slimlab.kit.maven.java25_home", lambda home=home: str(home))
        recipes.add(images._recipe(images.BY_NAME["jdk"]))
    assert len(recipes) == 2
    note = images._note(images.TEMURIN_JDK)
    assert "Temurin-25.0.4+9" in note and "upstream's path" in note
