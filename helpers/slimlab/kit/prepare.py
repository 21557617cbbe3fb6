"""Get every base image the labs need before any build: the first thing ``make lab`` does.

* Profile ``upstream``, or ``auto`` where a registry answers: list the upstream images with
  their download sizes, then pull the missing ones with progress (bytes, time left).
* No registry answers (offline): fall back to the kit, built from Debian packages where
  debootstrap exists (Linux), or loaded from a classroom bundle elsewhere.
* Profile ``kit``: build (or keep) the kit.

``SLIMLAB_PULL`` decides whether pulling is tried: ``auto`` (default) pulls and falls back
to the kit when offline, ``1`` pulls and fails when it cannot, ``0`` never pulls. A build
itself never pulls, whatever the setting.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass

from slimlab import config, engine
from slimlab.engine.transfer import LayerEvent, download_size
from slimlab.errors import BaseImageMissing, PullFailed
from slimlab.kit import bases

OFFLINE = "no registry answered (offline, or a firewall)"


@dataclass
class Wanted:
    """One upstream base image: is it here, and how much would a pull download?"""

    base: bases.Base
    present: bool
    download_bytes: int | None = None

    def row(self) -> dict:
        size = (f"{self.download_bytes / 1e6:,.0f} MB" if self.download_bytes
                else "unknown" if not self.present else "—")
        return {"image": self.base.upstream, "for": self.base.what,
                "here": "yes" if self.present else "no", "download": size}


def upstream_plan(with_sizes: bool = True) -> list[Wanted]:
    """Every upstream base image, whether the engine has it, and (for the missing ones) its
    download size as the registry states it."""
    platform = engine.platform()
    plan = []
    for base in bases.BASES:
        present = engine.image_exists(base.upstream)
        size = None if present or not with_sizes else download_size(base.upstream, platform)
        with_sizes = with_sizes and (present or size is not None)  # no answer: stop asking
        plan.append(Wanted(base, present, size))
    return plan


class PullProgress:
    """One bar per image in bytes (tqdm: a widget in JupyterLab, a line in a terminal), fed
    by the engine's per-layer events; layers the engine already has count for nothing."""

    def __init__(self, ref: str, expected: int | None = None) -> None:
        from tqdm.auto import tqdm

        self.layers: dict[str, tuple[int, int]] = {}
        self.expected = expected
        self.bar = tqdm(total=expected or 0, desc=ref, unit="B", unit_scale=True,
                        unit_divisor=1000, leave=True, mininterval=0.5)

    def __call__(self, event: LayerEvent) -> None:
        if event.status in ("Downloading", "Pushing") and event.total:
            self.layers[event.layer] = (event.current, event.total)
        elif event.status in ("Download complete", "Pull complete", "Pushed") \
                and event.layer in self.layers:
            total = self.layers[event.layer][1]
            self.layers[event.layer] = (total, total)
        else:
            return
        done = sum(current for current, _ in self.layers.values())
        known = sum(total for _, total in self.layers.values())
        self.bar.total = max(known, self.expected or 0)
        self.bar.n = done
        self.bar.refresh()

    def close(self, complete: bool = True) -> None:
        """End the bar; a finished pull is full even where the engine reported a small
        layer only as done (no byte counts), as the containerd store does."""
        done = sum(current for current, _ in self.layers.values())
        self.bar.n = max(done, self.bar.total or 0) if complete else done
        self.bar.close()

    @property
    def downloaded(self) -> int:
        return sum(total for _, total in self.layers.values())


def pull_with_progress(ref: str, expected: int | None = None) -> int:
    """Pull one image with a progress bar; the bytes downloaded. PullFailed names why."""
    bar = PullProgress(ref, expected)
    complete = False
    try:
        engine.pull(ref, on_event=bar)
        complete = True
    finally:
        bar.close(complete)
    return bar.downloaded or (expected or 0)


def prepare(echo: Callable[[str], None] = print) -> str:
    """Get the upstream base images, or decide on the kit; returns "upstream" (pulled),
    "nothing" (all here) or "kit" (the caller builds or keeps it, with its Maven
    repository). Raises with the fix when neither way can work here."""
    profile, pull = config.profile(), config.pull_setting()
    if profile == "kit":
        return _kit(echo, "profile kit")
    plan = upstream_plan(with_sizes=pull != "0")
    missing = [w for w in plan if not w.present]
    _show(plan, echo)
    if not missing:
        echo("prepare: every upstream base image is here")
        return "nothing"
    if pull == "0":
        if profile == "upstream":
            raise BaseImageMissing(
                f"Profile upstream, {len(missing)} base image(s) missing, and SLIMLAB_PULL=0.",
                hint="Allow pulling (SLIMLAB_PULL=auto, the default) or use the kit.")
        return _kit(echo, "SLIMLAB_PULL=0")
    try:
        for wanted in missing:
            started = time.monotonic()
            got = pull_with_progress(wanted.base.upstream, wanted.download_bytes)
            echo(f"prepare: pulled {wanted.base.upstream}: {got / 1e6:,.0f} MB in "
                 f"{time.monotonic() - started:.0f} s")
    except PullFailed as exc:
        if exc.cause != OFFLINE or pull == "1" or profile == "upstream":
            raise
        echo(f"prepare: {exc.message} Using the kit instead.")
        return _kit(echo, "offline")
    return "upstream"


def _kit(echo: Callable[[str], None], why: str) -> str:
    from slimlab.kit.images import KIT

    if all(engine.image_exists(image.tag) for image in KIT):
        echo(f"prepare: using the kit ({why}); it is all here")
    elif shutil.which("debootstrap") is None:
        raise BaseImageMissing(
            f"The kit is needed ({why}), but it is not loaded and cannot be built here: "
            "building it needs debootstrap (Linux).",
            hint="Load the classroom bundle your instructor gave you (`.venv/bin/slimlab "
            "bundle load DIR`), or connect to the internet and run `make lab` again.")
    else:
        echo(f"prepare: the kit will be built ({why})")
    return "kit"


def _show(plan: list[Wanted], echo: Callable[[str], None]) -> None:
    echo("prepare: the upstream base images the labs use")
    for wanted in plan:
        row = wanted.row()
        echo(f"  {row['image']:48} here: {row['here']:3}  download: {row['download']}")
