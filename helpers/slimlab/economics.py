"""The write-up's delivery arithmetic (its section 4), as pure functions over measured bytes.

The write-up prices a 847 MB and a 127 MB image: push or pull at 100 Mbps (~68 s vs ~10 s),
a scale-out cold start of pull + 5 s start (73 s vs 15 s), egress at $0.09/GB for 100
deploys a day over 30 days ($228.69 vs $34.29 a month) and registry storage for 100
versions (84.7 GB vs 12.7 GB). The same formulas applied to the sizes measured in the labs
show what the slimming buys on the learner's own images. Every default is the write-up's;
every parameter can be changed.

Units are decimal, as the write-up's figures are: 1 GB = 10⁹ bytes, 1 Mbps = 10⁶ bit/s.
No I/O here: the report and the notebooks feed in measurements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slimlab.errors import ConfigError

BYTES_PER_MB = 1e6
BYTES_PER_GB = 1e9
BITS_PER_MEGABIT = 1e6

DEFAULT_MBPS = 100.0
DEFAULT_DEPLOYS_PER_DAY = 100
DEFAULT_DAYS = 30
DEFAULT_USD_PER_GB = 0.09
DEFAULT_VERSIONS = 100
# The write-up's cold start adds "컨테이너 시작: 5초" (container start: 5 s) to the pull:
# 000_fefc88074a28910a.txt line 244 (68 s + 5 s = 73 s) and line 248 (10 s + 5 s = 15 s).
DEFAULT_STARTUP_SECONDS = 5.0


def _check_size(size_bytes: float) -> float:
    if size_bytes is None or size_bytes < 0:
        raise ConfigError(
            f"An image size of {size_bytes!r} bytes cannot be priced.",
            hint="Pass the measured size in bytes (0 or more).",
        )
    return float(size_bytes)


def _check_positive(name: str, value: float) -> float:
    if value is None or value <= 0:
        raise ConfigError(f"{name}={value!r} must be greater than 0.", hint=f"Pass {name} > 0.")
    return float(value)


def _check_not_negative(name: str, value: float) -> float:
    if value is None or value < 0:
        raise ConfigError(f"{name}={value!r} must not be negative.", hint=f"Pass {name} ≥ 0.")
    return float(value)


def transfer_seconds(size_bytes: float, mbps: float = DEFAULT_MBPS) -> float:
    """Seconds to push or pull ``size_bytes`` over a ``mbps`` link (one way, no overhead)."""
    size = _check_size(size_bytes)
    return size * 8 / (_check_positive("mbps", mbps) * BITS_PER_MEGABIT)


def push_pull_seconds(size_bytes: float, mbps: float = DEFAULT_MBPS) -> float:
    """A deploy's transfer (push from CI, then pull on the node): the write-up's "총 배포"."""
    return 2 * transfer_seconds(size_bytes, mbps)


def monthly_egress_usd(
    size_bytes: float,
    deploys_per_day: float = DEFAULT_DEPLOYS_PER_DAY,
    days: float = DEFAULT_DAYS,
    usd_per_gb: float = DEFAULT_USD_PER_GB,
) -> float:
    """Egress bill for pulling the image once per deploy, every deploy of the month."""
    size = _check_size(size_bytes)
    pulls = _check_not_negative("deploys_per_day", deploys_per_day) * _check_not_negative(
        "days", days
    )
    return size / BYTES_PER_GB * pulls * _check_not_negative("usd_per_gb", usd_per_gb)


def registry_storage_bytes(size_bytes: float, versions: int = DEFAULT_VERSIONS) -> float:
    """Registry space for ``versions`` kept tags, counted as full copies as the write-up does.

    Real registries share unchanged layers between versions, so this is an upper bound.
    """
    return _check_size(size_bytes) * _check_not_negative("versions", versions)


def cold_start_seconds(
    size_bytes: float,
    mbps: float = DEFAULT_MBPS,
    startup_seconds: float = DEFAULT_STARTUP_SECONDS,
) -> float:
    """Time until a new node serves traffic: pull the image, then start the container."""
    return transfer_seconds(size_bytes, mbps) + _check_not_negative(
        "startup_seconds", startup_seconds
    )


def _delivery_size(metrics: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """The bytes that travel: the measured pull size, else the on-disk size (and which)."""
    for key in ("pull_bytes", "size_bytes"):
        value = metrics.get(key)
        if value is not None and value >= 0:
            return float(value), key
    return None, None


def delivery_table(
    variants: Mapping[str, Mapping[str, Any]],
    *,
    mbps: float = DEFAULT_MBPS,
    deploys_per_day: float = DEFAULT_DEPLOYS_PER_DAY,
    days: float = DEFAULT_DAYS,
    usd_per_gb: float = DEFAULT_USD_PER_GB,
    versions: int = DEFAULT_VERSIONS,
    startup_seconds: float | None = None,
) -> list[dict[str, Any]]:
    """One row per variant with every delivery figure, in the order given.

    The size priced is ``pull_bytes`` (what crosses the network) or, when that was not
    measured, ``size_bytes``; ``size_from`` says which. The start time is the variant's
    measured median ``ready_s`` unless ``startup_seconds`` is given; without either the
    write-up's 5 s is used; ``startup_from`` says which. A variant with no size gets a row
    of ``None`` figures (and its ``not_measured_reason``) so it stays visible.
    """
    rows = []
    for name, metrics in variants.items():
        size, size_from = _delivery_size(metrics)
        if startup_seconds is not None:
            start, start_from = float(startup_seconds), "given"
        elif metrics.get("ready_s") is not None:
            start, start_from = float(metrics["ready_s"]), "measured ready_s"
        else:
            start, start_from = DEFAULT_STARTUP_SECONDS, "write-up's 5 s"
        row: dict[str, Any] = {
            "variant": name,
            "size_bytes": size,
            "size_from": size_from,
            "transfer_s": None,
            "push_pull_s": None,
            "startup_s": start if size is not None else None,
            "startup_from": start_from if size is not None else None,
            "cold_start_s": None,
            "egress_usd_month": None,
            "storage_bytes": None,
            "not_measured_reason": metrics.get("not_measured_reason") or None,
        }
        if size is not None:
            row.update(
                transfer_s=transfer_seconds(size, mbps),
                push_pull_s=push_pull_seconds(size, mbps),
                cold_start_s=cold_start_seconds(size, mbps, start),
                egress_usd_month=monthly_egress_usd(size, deploys_per_day, days, usd_per_gb),
                storage_bytes=registry_storage_bytes(size, versions),
            )
        rows.append(row)
    return rows
