"""``slimlab doctor``: is this Docker what the labs need? One finding per fact, each gap
with its fix. Attendees bring Docker Desktop or Engine 27–29; CI runs Engine 26 on both
image stores. Engines before 25 (legacy ``docker save`` layout, often no buildx) are too
old for the workbook."""

from __future__ import annotations

from dataclasses import dataclass

from slimlab.errors import EngineUnavailable

SUPPORTED_ENGINE = (25, 0)  # BuildKit's builder, OCI-layout saves; tested on 26.1 (CI)
OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Finding:
    what: str
    found: str
    status: str
    fix: str = ""


def engine_version_tuple(version: str) -> tuple[int, int]:
    """``26.1.5+dfsg1`` -> (26, 1); unknown forms -> (0, 0)."""
    parts = version.split("+")[0].split("-")[0].split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return (0, 0)


def image_store(info: dict) -> str:
    """``containerd`` when the engine keeps images in containerd's store (the default of
    Docker Desktop and of new Engine 29 installs), else the graph driver's name."""
    status = dict(tuple(pair) for pair in info.get("DriverStatus") or [] if len(pair) == 2)
    if status.get("driver-type") == "io.containerd.snapshotter.v1":
        return "containerd"
    return info.get("Driver", "?")


def findings() -> list[Finding]:
    """Every check, in the order a learner fixes them; never raises."""
    from slimlab import engine
    from slimlab.engine import buildx

    try:
        cli = engine.client()
    except EngineUnavailable as exc:
        return [Finding("engine", exc.message, FAIL, exc.hint)]
    version = cli.version()
    info = cli.info()
    found = version.get("Version", "?")
    result = []
    if engine_version_tuple(found) >= SUPPORTED_ENGINE:
        result.append(Finding("engine", f"Docker Engine {found} (API "
                              f"{version.get('ApiVersion', '?')})", OK))
    else:
        result.append(Finding("engine", f"Docker Engine {found}", FAIL,
                              "Too old for the labs (they need Engine 25 or newer): update "
                              "Docker Desktop, or install a current Docker Engine."))
    store = image_store(info)
    result.append(Finding("image store", store if store == "containerd"
                          else f"{store} (graph driver)", OK))
    bx = buildx.version()
    if bx is None:
        try:
            buildx.require()
        except EngineUnavailable as exc:
            result.append(Finding("buildx", "missing", FAIL, exc.hint))
    else:
        result.append(Finding("buildx", f"buildx {bx}", OK))
    result.append(Finding("cpus / memory", f"{info.get('NCPU', '?')} / "
                          f"{info.get('MemTotal', 0) / 2**30:.1f} GiB", OK))
    return result


def healthy(items: list[Finding]) -> bool:
    return all(item.status != FAIL for item in items)
