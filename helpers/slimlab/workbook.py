"""The one-line calls a notebook cell makes. Each does one job, shows a table or a line,
records what it measured (for the scoreboard and for grading) and returns the data.

Variants are named as in ``variants.CATALOG`` (``"basic"``, ``"multi"``…); a Dockerfile
path builds a learner's own variant. Base images are resolved from the Dockerfile's own
``ARG …_IMAGE=`` lines by the active profile, so the Dockerfile reads as a learner would
write it.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slimlab import config, containers, engine, later
from slimlab.builder import BuildResult, build_image
from slimlab.errors import ConfigError
from slimlab.kit import bases
from slimlab.metrics import delivery as delivery_mod
from slimlab.metrics.image import ImageReport, inspect
from slimlab.metrics.surface import surface as surface_of
from slimlab.registry import Push, registry
from slimlab.variants import CATALOG, Variant, variant

ARG_RE = re.compile(r"^\s*ARG\s+([A-Z_]+_IMAGE)(?:=(\S+))?", re.MULTILINE)


@dataclass
class Target:
    """What a notebook named: a catalog variant, a Dockerfile a learner wrote, or a bare
    image tag (no Dockerfile: it can be run and measured, not built)."""

    name: str
    lab: str
    dockerfile: Path | None
    tag: str
    variant: Variant | None = None

    def buildable(self) -> Path:
        if self.dockerfile is None:
            raise ConfigError(f"{self.tag} is an image tag, not something to build.",
                              hint="Build a variant by name (\"basic\") or a Dockerfile path.")
        later.release_needed(self.dockerfile)
        return self.dockerfile


def _looks_like_path(text: str) -> bool:
    return "/" in text or text.startswith("Dockerfile") or text.endswith("Dockerfile")


def _dockerfile_path(what: str | Path) -> Path:
    """A Dockerfile path as a learner types it: relative to the notebook's folder, or to the
    workbook copy (``labs/01-layers/Dockerfile.ordered``)."""
    path = Path(what).expanduser()
    if path.is_absolute():
        return path
    for base in (Path.cwd(), config.workbook_root()):
        later.release_needed((base / path).absolute())
        if (base / path).is_file():
            return (base / path).resolve()
    raise ConfigError(f"There is no Dockerfile {what} here or in the workbook "
                      f"{config.workbook_root()}.", hint="Check the file's name and folder.")


def resolve(what: str | Path | Variant, tag: str | None = None, lab: str = "") -> Target:
    """The one place that decides what a notebook's argument names, in this order:
    a ``Variant``; a ``Path``; a tag (``name:tag``; a catalog variant's own tag resolves
    to that variant); a path (``/`` in it, or ``Dockerfile…``); else a catalog name."""
    if isinstance(what, str) and ":" in what and not Path(what).is_file():
        known = next((v for v in CATALOG if v.tag == what), None)
        if known is None:
            return Target(what.rsplit(":", 1)[0].rsplit("/", 1)[-1], lab, None, tag or what)
        what = known
    if isinstance(what, Variant) or (isinstance(what, str) and not _looks_like_path(what)):
        v = variant(what)
        return Target(v.name, v.lab, v.path, tag or v.tag, v)
    path = _dockerfile_path(what)
    name = tag.split(":")[-1] if tag else path.name.replace("Dockerfile", "custom").strip(".")
    return Target(name, lab or path.parent.name, path, tag or f"bookshelf:{name}")


def base_args(dockerfile: Path, profile: str | None = None) -> list[bases.Resolved]:
    """Resolve every ``ARG X_IMAGE`` the Dockerfile declares that the kit knows."""
    names = [m.group(1) for m in ARG_RE.finditer(dockerfile.read_text())]
    return bases.resolve_all([n for n in dict.fromkeys(names) if n in bases.BY_ARG], profile)


def base_source(resolved: list[bases.Resolved]) -> str:
    kinds = {r.source for r in resolved}
    return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "none")


def _record(name: str, lab: str, metrics: dict) -> None:
    from slimlab.checkpoints import record_measurement

    record_measurement(lab, name, metrics)


def build(what: str | Path | Variant, *, tag: str | None = None, nocache: bool = False,
          context: str | Path | None = None, lab: str = "", quiet: bool = False,
          target: str | None = None, record: bool = True) -> BuildResult:
    """Build a variant (or a Dockerfile) with the profile's base images."""
    t = resolve(what, tag, lab)
    resolved = base_args(t.buildable())
    result = build_image(t.buildable(), t.tag, context=context, lab=t.lab, nocache=nocache,
                         buildargs={r.arg: r.image for r in resolved}, quiet=quiet,
                         target=target)
    if record and target is None:
        _record(t.name, t.lab, {"tag": t.tag, "base_source": base_source(resolved),
                                "build_s": round(result.seconds, 2)})
    return result


def ensure(what: str | Path | Variant, **kwargs) -> str:
    """The variant's tag, building it first when it is missing (labs run alone)."""
    t = resolve(what, kwargs.get("tag"))
    if not engine.image_exists(t.tag):
        build(what, **kwargs)
    return t.tag


def run(what: str | Variant, **kwargs) -> AbstractContextManager[containers.Running]:
    """``with run("multi") as app:`` — the variant's container, ready, always removed."""
    t = resolve(what)
    if t.lab:
        kwargs.setdefault("lab", t.lab)
    return containers.run_container(t.tag, **kwargs)


def image(what: str | Variant) -> ImageReport:
    """The measurements of a built image (sizes, layers, files), computed lazily."""
    return inspect(resolve(what).tag)


def measure(what: str | Variant, record: bool = True) -> dict:
    """Size, pull size, layers, wasted bytes and attack surface of a built variant."""
    t = resolve(what)
    report = inspect(t.tag)
    facts = {**report.summary(), **surface_of(report).to_dict()}
    if record and t.dockerfile is not None:
        _record(t.name, t.lab, {"tag": t.tag, **facts})
    return facts


def contents_check(what: str | Variant) -> list[dict]:
    """What must and must not be inside, per the catalog, and what was found."""
    v = variant(what)
    report = image(v)
    rows: list[dict[str, object]] = [
        {"pattern": p, "wanted": "present", "found": report.glob(p)[:3]} for p in v.must_have]
    rows += [{"pattern": p, "wanted": "absent", "found": report.glob(p)[:3]}
             for p in v.must_not_have]
    for row in rows:
        row["ok"] = bool(row["found"]) == (row["wanted"] == "present")
    return rows


def startup(whats: list[str | Variant] | str, runs: int | None = None,
            record: bool = True) -> list[dict]:
    """Start each variant ``runs`` times, interleaved; medians and spread per variant."""
    whats = [whats] if isinstance(whats, str | Variant) else list(whats)
    targets = [resolve(w) for w in whats]
    results = containers.startup([t.tag for t in targets], runs=runs,
                              lab={t.tag: t.lab for t in targets})
    rows = []
    for t, r in zip(targets, results, strict=True):
        row = {"variant": t.name, **r.to_dict()}
        rows.append(row)
        if record:
            _record(t.name, t.lab, {k: row[k] for k in row if k not in ("variant", "image")})
    return rows


@dataclass
class Delivery:
    """A code change delivered: build times cold and warm, and what a push to a real
    registry on 127.0.0.1 moved, in the registry's own byte counts (the gzip estimate
    stays beside it as a cross-check)."""

    name: str
    cold: BuildResult
    warm: BuildResult
    before: Push  # the first push: every layer, as a first pull downloads it
    after: Push  # the push after the change: only what the registry lacked
    estimate_bytes: int = 0  # gzip level 6 of the new layers: the cross-check
    content_id: str = ""  # of the image the first push sent (ImageReport.content_id)

    @property
    def push_bytes(self) -> int:
        return self.after.sent_bytes

    @property
    def new_layers(self) -> int:
        return sum(layer.sent for layer in self.after.layers)

    def to_dict(self) -> dict:
        return {"variant": self.name, "build_cold_s": round(self.cold.seconds, 1),
                "build_warm_s": round(self.warm.seconds, 1),
                "warm_cached_steps": self.warm.cached_steps, "steps": len(self.warm.steps),
                "push_bytes_per_change": self.push_bytes, "new_layers": self.new_layers,
                "push_estimate_bytes": self.estimate_bytes,
                "first_pull_bytes": self.before.stored_bytes,
                "first_pull_content_id": self.content_id}

    def push_rows(self) -> list[dict]:
        """The push after the change, layer by layer, as `docker push` printed it."""
        return self.after.rows()


def delivery(what: str | Variant, cold: bool = True, record: bool = True,
             quiet: bool = False) -> Delivery:
    """Build cold (no cache; bases present), push to a registry on 127.0.0.1; then build
    again after a one-line Java change made on a copy of the app, and push that. Both
    builds show their progress unless ``quiet``: this is minutes of work a learner should
    see move. The registry and the changed image are removed on every path."""
    t = resolve(what)
    first = build(what, nocache=cold, quiet=quiet, record=False)
    before_report = inspect(t.tag)
    changed = t.tag + "-changed"
    try:
        with registry(t.lab) as reg:
            before = reg.push(t.tag, f"{t.name}:before")
            with delivery_mod.changed_copy() as copy:
                second = build(what, context=copy, tag=changed, quiet=quiet, record=False)
            after = reg.push(changed, f"{t.name}:after")
        estimate = delivery_mod.push_bytes(before_report, inspect(changed))
    finally:  # Ctrl+C or a failed build included: the changed image never stays behind
        engine.remove_image(changed)
    result = Delivery(t.name, first, second, before, after, estimate,
                      before_report.content_id)
    if record:  # a first build that used the cache was not cold: never record it as cold
        skip = {"variant"} if cold else {"variant", "build_cold_s"}
        _record(t.name, t.lab, {k: v for k, v in result.to_dict().items() if k not in skip})
    return result


def context_size(with_dockerignore: bool = True) -> int:
    from slimlab.context import context_size as size

    return size(config.workbook_root() / "sample-app", with_dockerignore)


def bases_table(profile: str | None = None) -> list[dict]:
    """Which image each base argument resolves to under the profile, and why."""
    rows = []
    for base in bases.BASES:
        try:
            r = bases.resolve(base.arg, profile)
            rows.append({"argument": base.arg, "upstream default": base.upstream,
                         "used here": r.image, "source": r.source, "note": r.note})
        except Exception as exc:  # shown, not raised: a missing builder is a normal case
            rows.append({"argument": base.arg, "upstream default": base.upstream,
                         "used here": "—", "source": "missing",
                         "note": getattr(exc, "message", str(exc))})
    return rows


def check(lab: str, name: str, measured: object, **rule: Any) -> None:
    """Record and show a checkpoint (see ``checkpoints.checkpoint`` for the rules). Returns
    nothing, so a notebook cell that ends with it shows the result once."""
    from slimlab.checkpoints import checkpoint

    checkpoint(lab, name, measured, **rule)


def cleanup(lab: str = "") -> dict[str, int]:
    """Remove the containers and images Slimlab made (the kit stays)."""
    return engine.cleanup(lab=lab, learner=config.learner())
