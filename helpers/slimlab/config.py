"""Every Slimlab setting, read from the environment at call time (never at import).

| variable | default | meaning |
| --- | --- | --- |
| ``SLIMLAB_HOME`` | ``~/.cache/slimlab`` | scratch: Maven repository, downloads, results |
| ``SLIMLAB_PROFILE`` | ``auto`` | bases: ``upstream``, ``kit``, ``auto`` (upstream if present) |
| ``SLIMLAB_PULL`` | ``auto`` | prepare pulls: ``auto`` (the kit if offline), ``1``, ``0`` (never) |
| ``SLIMLAB_MAVEN_MIRROR`` | ``auto`` | ``auto``: serve the repository if present; a URL; ``off`` |
| ``SLIMLAB_MAVEN_REPO`` | ``$SLIMLAB_HOME/maven-repo`` | the repository the mirror serves |
| ``SLIMLAB_MAVEN_VERSION`` | ``3.9.11`` | Maven that primes the repository and runs in the kit |
| ``SLIMLAB_DEBIAN_MIRROR`` | from the machine's apt sources | Debian mirror for the kit |
| ``SLIMLAB_RESULTS`` | ``$SLIMLAB_HOME/results.jsonl`` | checkpoints and measurements |
| ``SLIMLAB_RUNS`` | ``3`` | runs per timing (medians are reported) |
| ``SLIMLAB_READY_TIMEOUT`` | ``180`` | seconds a container gets to become ready |
| ``SLIMLAB_STRICT`` | ``1`` when ``CI=true`` else ``0`` | ``1``: a failed checkpoint raises |
| ``SLIMLAB_LEARNER`` | ``""`` | grading: labels everything a learner's run makes |
| ``SLIMLAB_WORKBOOK`` | the copy holding the current folder | whose labs and app are read |
"""

from __future__ import annotations

import os
from pathlib import Path

PROFILES = ("auto", "kit", "upstream")


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def home() -> Path:
    return Path(_env("SLIMLAB_HOME", str(Path.home() / ".cache" / "slimlab"))).expanduser()


def profile() -> str:
    value = _env("SLIMLAB_PROFILE", "auto").lower()
    if value not in PROFILES:
        from slimlab.errors import ConfigError

        raise ConfigError(
            f"SLIMLAB_PROFILE={value!r} is not a profile.",
            hint=f"Use one of {', '.join(PROFILES)}.",
        )
    return value


PULL_SETTINGS = ("auto", "1", "0")


def pull_setting() -> str:
    value = _env("SLIMLAB_PULL", "auto").lower()
    if value not in PULL_SETTINGS:
        from slimlab.errors import ConfigError

        raise ConfigError(f"SLIMLAB_PULL={value!r} is not a setting.",
                          hint="Use auto (pull, the kit when offline), 1 (pull) or 0 (never).")
    return value


def maven_mirror() -> str:
    return _env("SLIMLAB_MAVEN_MIRROR", "auto")


def maven_repo() -> Path:
    return Path(_env("SLIMLAB_MAVEN_REPO", str(home() / "maven-repo"))).expanduser()


def maven_version() -> str:
    return _env("SLIMLAB_MAVEN_VERSION", "3.9.11")


def debian_mirror_override() -> str:
    return _env("SLIMLAB_DEBIAN_MIRROR", "")


def results_file() -> Path:
    return Path(_env("SLIMLAB_RESULTS", str(home() / "results.jsonl"))).expanduser()


def _number(name: str, default: str, kind: type[int] | type[float]) -> int | float:
    """A numeric setting; a word where a number belongs is a ConfigError naming it."""
    value = _env(name, default)
    try:
        return kind(value)
    except ValueError:
        from slimlab.errors import ConfigError

        raise ConfigError(f"{name}={value!r} is not a number.",
                          hint=f"Set it to a number (default {default}), or unset it.") from None


def runs() -> int:
    return max(1, int(_number("SLIMLAB_RUNS", "3", int)))


def ready_timeout() -> float:
    return float(_number("SLIMLAB_READY_TIMEOUT", "180", float))


def strict() -> bool:
    default = "1" if os.environ.get("CI", "").lower() == "true" else "0"
    return _env("SLIMLAB_STRICT", default) == "1"


def learner() -> str:
    return _env("SLIMLAB_LEARNER", "")


def repo_root() -> Path:
    """The checkout this package runs from (helpers/slimlab/config.py -> root): the kit's
    and the instructor's files. A learner's own files come from ``workbook_root``."""
    return Path(__file__).resolve().parents[2]


def is_workbook(path: Path) -> bool:
    return (path / "labs").is_dir() and (path / "sample-app" / "pom.xml").is_file()


def workbook_root() -> Path:
    """The workbook copy whose labs and sample app the helpers read: ``SLIMLAB_WORKBOOK``,
    else the copy holding the current folder (a notebook's kernel runs in its lab folder),
    else the checkout this package was installed from. So an attendee's notebook reads the
    attendee's Dockerfiles even when the package was installed from another copy."""
    from slimlab.errors import ConfigError

    explicit = _env("SLIMLAB_WORKBOOK", "")
    if explicit:
        root = Path(explicit).expanduser().resolve()
        if not is_workbook(root):
            raise ConfigError(f"SLIMLAB_WORKBOOK={explicit} is not a workbook copy (it needs "
                              "labs/ and sample-app/pom.xml).",
                              hint="Point it at the folder you cloned, or unset it.")
        return root
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if is_workbook(folder):
            return folder
    if is_workbook(repo_root()):
        return repo_root()
    raise ConfigError(f"No workbook copy holds {here}, and the slimlab package was not "
                      "installed from one.",
                      hint="Open the notebooks from your copy of the workbook (`make lab`), "
                      "or set SLIMLAB_WORKBOOK to its folder.")
