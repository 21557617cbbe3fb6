"""The machine's own Temurin 25 as the kit's JDK: the build attendees get in
``eclipse-temurin:25-jdk``, so the kit exercises what they will run, jlink from a run-time
image without jmods (JEP 493) included. Without one, the kit falls back to Debian's
OpenJDK 25, which ships jmods and debug files, and says so."""

from __future__ import annotations

from pathlib import Path

from slimlab.errors import KitError

VENDOR = "Eclipse Adoptium"


def release(home: Path) -> dict[str, str]:
    """A JDK's ``release`` file as a dict (``JAVA_VERSION``, ``IMPLEMENTOR``…)."""
    try:
        text = (home / "release").read_text()
    except OSError:
        return {}
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {key.strip(): value.strip().strip('"') for key, value in pairs}


def is_temurin_25(home: Path) -> bool:
    facts = release(home)
    return (facts.get("IMPLEMENTOR") == VENDOR and facts.get("JAVA_VERSION", "").split(".")[0]
            == "25" and (home / "bin" / "jlink").exists())


def host_temurin() -> Path | None:
    """This machine's Temurin 25 JDK home, or None."""
    from slimlab.kit.maven import java25_home

    try:
        home = Path(java25_home())
    except KitError:
        return None
    return home if is_temurin_25(home) else None


def build_name(home: Path) -> str:
    """``Temurin-25.0.3+9``: the build, as its ``release`` file names it."""
    return release(home).get("IMPLEMENTOR_VERSION", "Temurin 25")
