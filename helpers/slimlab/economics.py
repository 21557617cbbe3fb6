"""The write-up's delivery arithmetic (its section 4), as pure functions over measured bytes.

The write-up prices a 847 MB and a 127 MB image: push or pull at 100 Mbps (~68 s vs ~10 s),
a scale-out cold start of pull + 5 s start (73 s vs 15 s), egress at $0.09/GB for 100
deploys a day over 30 days ($228.69 vs $34.29 a month) and registry storage for 100
versions (84.7 GB vs 12.7 GB). The same formulas applied to the sizes measured in the labs
show what the slimming buys on the learner's own images. Every default is the write-up's;
every parameter can be changed.

Each formula is as precise as what it prices, and no more:

- A whole image travels only to a node that holds none of its layers (a new node, a cold
  start). A deploy of a code change moves only the layers that changed: lab 02 measured
  those bytes (``push_bytes_per_change``, the registry's own count), and ``change_table``
  prices them. Pricing every deploy as a whole image, as the write-up does, is an upper
  bound.
- Egress is billed for bytes that leave a provider's network or region; pulls from a
  registry in the same region as the nodes are often free. ``monthly_egress_usd`` prices
  every pull as if it crossed a billed boundary.
- Registries store each layer once (by digest), so versions that share their base and
  dependency layers do not each cost a full image: ``registry_storage_bytes`` (versions ×
  size, the write-up's count) is an upper bound; ``change_table`` counts one image plus
  one change per further version.

The bytes priced for an image are, in order of preference: ``first_pull_bytes`` (the
registry's own count of every layer, from lab 02's push to a registry on 127.0.0.1),
``pull_bytes`` (an estimate: each layer gzip-compressed at level 6) and ``size_bytes``
(on disk, uncompressed: overstates what travels).

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
    """Egress bill for pulling ``size_bytes`` once per deploy, every deploy of the month.

    Every pull is priced as billed egress; a registry in the nodes' own region often
    charges nothing, so this is what the pulls cost when each crosses a billed boundary.
    """
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


# What an image's delivery is priced by, best first: the registry's own count from a real
# push (lab 02), the gzip level-6 estimate of every layer, the uncompressed size on disk.
DELIVERY_KEYS = ("first_pull_bytes", "pull_bytes", "size_bytes")
# What lab 02 records per variant it delivers: the bytes a push sent for one code change.
CHANGE_KEY = "push_bytes_per_change"


def _delivery_size(metrics: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """The bytes that travel: the registry's count, else the gzip estimate, else the
    on-disk size (and which)."""
    for key in DELIVERY_KEYS:
        value = metrics.get(key)
        if key == "first_pull_bytes" and stale_first_pull(metrics):
            continue
        if value is not None and value >= 0:
            return float(value), key
    return None, None


def stale_first_pull(metrics: Mapping[str, Any]) -> bool:
    """A registry count recorded for other layers than the image measured now (a rebuild
    changed them): it no longer prices this image."""
    recorded, current = metrics.get("first_pull_content_id"), metrics.get("content_id")
    return bool(recorded and current and recorded != current)


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

    The size priced is ``first_pull_bytes`` (the registry's count from a real push), else
    ``pull_bytes`` (the gzip estimate of what crosses the network), else ``size_bytes``;
    ``size_from`` says which. The start time is the variant's
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


def change_table(
    variants: Mapping[str, Mapping[str, Any]],
    *,
    mbps: float = DEFAULT_MBPS,
    deploys_per_day: float = DEFAULT_DEPLOYS_PER_DAY,
    days: float = DEFAULT_DAYS,
    usd_per_gb: float = DEFAULT_USD_PER_GB,
    versions: int = DEFAULT_VERSIONS,
) -> list[dict[str, Any]]:
    """One row per variant whose code change was delivered (``push_bytes_per_change``).

    A deploy of a code change to nodes that hold the previous version moves only the
    changed layers: those bytes are priced for the push, the pull and the month's egress.
    Storage counts one whole image (its delivery size) plus one change per further
    version, as a registry that shares unchanged layers stores them. There is no cold
    start: a new node pulls the whole image (the image rows price that).

    Rows have ``delivery_table``'s keys, ``size_from`` = ``"push_bytes_per_change"``. With
    no variant measured, one row says to run lab 02 (``not_measured_reason``).
    """
    rows = []
    for name, metrics in variants.items():
        change = metrics.get(CHANGE_KEY)
        if change is None or change < 0 or metrics.get("not_measured_reason"):
            continue
        change = float(change)
        whole, _ = _delivery_size(metrics)
        storage = None
        if whole is not None:
            storage = whole + change * max(0, _check_not_negative("versions", versions) - 1)
        rows.append({
            "variant": name,
            "size_bytes": change,
            "size_from": CHANGE_KEY,
            "transfer_s": transfer_seconds(change, mbps),
            "push_pull_s": push_pull_seconds(change, mbps),
            "startup_s": None,
            "startup_from": None,
            "cold_start_s": None,
            "egress_usd_month": monthly_egress_usd(change, deploys_per_day, days, usd_per_gb),
            "storage_bytes": storage,
            "not_measured_reason": None,
        })
    if not rows:
        rows.append({
            "variant": "",
            "size_bytes": None,
            "size_from": None,
            "transfer_s": None,
            "push_pull_s": None,
            "startup_s": None,
            "startup_from": None,
            "cold_start_s": None,
            "egress_usd_month": None,
            "storage_bytes": None,
            "not_measured_reason": "run lab 02: it measures the bytes a push sends for a "
                                   "one-line code change",
        })
    return rows
