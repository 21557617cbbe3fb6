"""Tables, plots and the closing recommendation, drawn from recorded measurements.

Two kinds of figures appear side by side and are never mixed: the ones measured here (the
``measurements`` dict per variant, see ``checkpoints.load_measurements``) and the
write-up's own (``WRITEUP``), measured on its author's machine. The write-up's are always
labelled as such, and drawn grey and hatched in plots.

Every measurement key is optional: a table cell or a bar is simply absent when a lab has
not measured it yet. pandas and matplotlib are imported inside the functions so that
``import slimlab`` stays cheap.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from slimlab import config, economics, progress
from slimlab.checkpoints import (
    FAIL_MARK,
    PASS_MARK,
    CheckpointResult,
    format_value,
    load_measurements,
    load_results,
)

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

Measurements = Mapping[str, Mapping[str, Any]]

VARIANT_ORDER: tuple[str, ...] = ("basic", "multi", "jre", "alpine", "jlink", "aot", "native")

# The write-up's own figures, measured on its author's machine (000_fefc88074a28910a.txt:
# stages at lines 119-160, summary table at lines 166-173, native's "0.1초 내외" at line 160).
# Words are translated from its Korean. It has no "aot" stage: that one is Slimlab's.
WRITEUP: dict[str, dict[str, Any]] = {
    "basic": {
        "stage": 1,
        "tag": "bookshelf:basic",
        "size_mb": 775,
        "build": "very slow",
        "startup": "normal",
        "startup_s": None,
        "idea": "JDK image, build inside",
    },
    "multi": {
        "stage": 2,
        "tag": "bookshelf:multi",
        "size_mb": 484,
        "build": "medium",
        "startup": "normal",
        "startup_s": None,
        "idea": "build and run stages apart",
    },
    "jre": {
        "stage": 3,
        "tag": "bookshelf:jre",
        "size_mb": 327,
        "build": "medium",
        "startup": "normal",
        "startup_s": None,
        "idea": "JRE instead of JDK",
    },
    "alpine": {
        "stage": 4,
        "tag": "bookshelf:alpine",
        "size_mb": 245,
        "build": "fast",
        "startup": "normal",
        "startup_s": None,
        "idea": "Alpine OS base",
    },
    "jlink": {
        "stage": 5,
        "tag": "bookshelf:jlink",
        "size_mb": 127,
        "build": "fast",
        "startup": "normal",
        "startup_s": None,
        "idea": "jlink runtime of 11 modules",
    },
    "native": {
        "stage": 6,
        "tag": "bookshelf:native",
        "size_mb": 137,
        "build": "very slow",
        "startup": "~0.1 s",
        "startup_s": 0.1,
        "idea": "GraalVM native image",
    },
}

WRITEUP_SIZE_COLUMN = "write-up MB (its machine)"
WRITEUP_LABEL = "write-up (its machine)"
KIT_SOURCES = ("kit", "mixed")

MEASURED_COLOURS = ("#1f6fb4", "#f28e2b", "#59a14f")
WRITEUP_STYLE = {"color": "#d9d9d9", "edgecolor": "#808080", "hatch": "//", "linewidth": 0.8}


# ---------------------------------------------------------------------------- helpers


def ordered_variants(names: Iterable[str], order: Sequence[str] = VARIANT_ORDER) -> list[str]:
    """Variants in the labs' order (basic → native), then any others as given."""
    names = list(dict.fromkeys(names))
    known = [n for n in order if n in names]
    return known + [n for n in names if n not in known]


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN counts as missing


def _mb(value: Any) -> float | None:
    number = _number(value)
    return None if number is None else round(number / economics.BYTES_PER_MB, 1)


def _round(value: Any, digits: int) -> float | None:
    number = _number(value)
    return None if number is None else round(number, digits)


def _count(value: Any) -> float | None:
    """Lists (setuid files, packages) count as their length; numbers stay numbers."""
    if isinstance(value, list | tuple | set):
        return float(len(value))
    return _number(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _compiler(metrics: Mapping[str, Any]) -> str:
    """Which compilers were found (``javac``), else "no": the paths ``sl.measure`` records
    say what a bare yes would hide. A record from before them keeps its yes/no."""
    paths = metrics.get("compilers")
    if isinstance(paths, list | tuple):
        return ", ".join(sorted({str(p).rsplit("/", 1)[-1] for p in paths})) or "no"
    return _text(metrics.get("compiler"))


def _reason(metrics: Mapping[str, Any]) -> str:
    return str(metrics.get("not_measured_reason") or "").strip()


def base_label(source: Any) -> str:
    """What the base images were: kit stand-ins (built locally) or the upstream images."""
    if source == "kit":
        return "kit stand-in"
    if source == "mixed":
        return "kit stand-in (mixed)"
    if source == "upstream":
        return "upstream"
    return _text(source)


def kit_variants(measurements: Measurements) -> list[str]:
    """Variants whose figures come (at least partly) from kit stand-in base images."""
    return [
        n
        for n in ordered_variants(measurements)
        if measurements[n].get("base_source") in KIT_SOURCES
    ]


def join_names(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _kit_note(names: Sequence[str], measurements: Measurements) -> str:
    """Title suffix saying which figures come from kit stand-in base images, if any."""
    kit = [n for n in names if measurements[n].get("base_source") in KIT_SOURCES]
    if not kit:
        return ""
    measured = [n for n in names if not _reason(measurements[n])]
    if set(measured) <= set(kit):
        return " — measured on kit stand-in base images"
    return f" — kit stand-in base images for {join_names(kit)}"


def _mark_not_measured(ax, names: Sequence[str], measurements: Measurements) -> None:
    for i, name in enumerate(names):
        if _reason(measurements[name]):
            ax.annotate(
                "not measured here",
                (i, 0),
                xytext=(0, 14),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                rotation=90,
                color="#cf222e",
            )


def _delivery_bytes(metrics: Mapping[str, Any]) -> tuple[float | None, str | None]:
    for key in economics.DELIVERY_KEYS:
        number = _number(metrics.get(key))
        if number is not None:
            return number, key
    return None, None


# What a pull size is: the registry's own count from a real push (lab 02 records it as
# ``first_pull_bytes``), or an estimate, each layer gzip-compressed at level 6.
PULL_FROM_REGISTRY = "registry's count (push)"
PULL_FROM_ESTIMATE = "estimate (gzip -6)"


def first_pull_bytes(metrics: Mapping[str, Any]) -> Any:
    """The registry's count of a first pull, only while it is of the image measured now:
    a rebuild with other layers makes it stale (the content ids differ), and then the
    estimate speaks instead."""
    from slimlab.economics import stale_first_pull

    return None if stale_first_pull(metrics) else metrics.get("first_pull_bytes")


def pull_size(metrics: Mapping[str, Any]) -> tuple[float | None, str]:
    """What a first pull transfers, and how it is known: the registry's byte count where
    lab 02 pushed the image, else the gzip estimate; (None, "") when neither was measured."""
    real = _number(first_pull_bytes(metrics))
    if real is not None:
        return real, PULL_FROM_REGISTRY
    estimate = _number(metrics.get("pull_bytes"))
    return (estimate, PULL_FROM_ESTIMATE) if estimate is not None else (None, "")


# ---------------------------------------------------------------------------- scoreboard

SCOREBOARD_COLUMNS = (
    "tag",
    "base images",
    "size MB",
    "pull MB",
    "pull MB from",
    "layers",
    "build cold s",
    "build warm s",
    "ready s",
    "ready range s",
    "Spring s",
    "memory MiB",
    "push per change MB",
    "shell",
    "package manager",
    "compiler",
    "setuid files",
    "user",
    "packages",
    WRITEUP_SIZE_COLUMN,
    "note",
)

NUMERIC_SCOREBOARD_COLUMNS = (
    "size MB",
    "pull MB",
    "layers",
    "build cold s",
    "build warm s",
    "ready s",
    "Spring s",
    "memory MiB",
    "push per change MB",
    "setuid files",
    "packages",
    WRITEUP_SIZE_COLUMN,
)

# Columns shown only when some row has a figure: no notebook builds cold on purpose
# (``sl.delivery(cold=True)`` is what records ``build_cold_s``), so it is usually blank.
OPTIONAL_SCOREBOARD_COLUMNS = ("build cold s",)


def _blank(column: pandas.Series) -> pandas.Series:
    """Cells with no figure: NaN, None or empty text."""
    return column.isna() | column.astype(str).str.strip().eq("")


def _whole(column: pandas.Series) -> bool:
    """A numeric column whose every figure is a whole number (counts, the write-up's MB)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    if not is_numeric_dtype(column) or is_bool_dtype(column):
        return False
    present = column.dropna()
    return bool(len(present)) and all(math.isfinite(v) and float(v).is_integer()
                                      for v in present)


def shown(frame: pandas.DataFrame) -> tuple[pandas.DataFrame, dict[str, Callable[[Any], str]]]:
    """A table as a learner reads it: without the columns no row has a figure for, and with
    a formatter per column of whole numbers (8 setuid files, not 8.0). Missing cells are
    drawn blank by the caller (``na_rep=""``), never as NaN."""
    keep = [c for c in frame.columns if not _blank(frame[c]).all()]
    table = frame[keep]
    return table, {c: "{:.0f}".format for c in keep if _whole(table[c])}


@functools.cache
def _scoreboard_type() -> type[pandas.DataFrame]:
    """A DataFrame that keeps every figure (lab views select columns and compute on them)
    but shows itself through ``shown``. Made on first use: pandas is imported lazily."""
    import pandas as pd

    class Scoreboard(pd.DataFrame):
        """The scoreboard's data; what a notebook displays is ``shown(self)``."""

        @property
        def _constructor(self) -> Callable[..., Scoreboard]:  # slices stay Scoreboards
            return Scoreboard

        def _repr_html_(self) -> str:
            table, formatters = shown(self)
            return table.to_html(na_rep="", formatters=formatters)

        def __repr__(self) -> str:
            table, formatters = shown(self)
            return table.to_string(na_rep="", formatters=formatters)

    return Scoreboard


def scoreboard(
    measurements: Measurements, order: Sequence[str] = VARIANT_ORDER
) -> pandas.DataFrame:
    """One row per variant in the labs' order, in human units (MB = 10⁶ bytes, seconds).

    The write-up's size sits in its own column; a variant that could not be measured here
    keeps its row with a "not measured here: …" note, so its absence is visible. *pull MB*
    is the registry's own count where lab 02 pushed the image, else the gzip estimate;
    *pull MB from* says which. A column in ``OPTIONAL_SCOREBOARD_COLUMNS`` is left out when
    no row has a figure for it.

    The frame keeps every other column (missing figures NaN), so a lab's view can select
    its own; displayed, it and every slice of it leave out the columns no row has a figure
    for, and show missing figures blank and counts as whole numbers (``shown``).
    """
    import pandas as pd

    rows = []
    names = ordered_variants(measurements, order)
    for name in names:
        m = measurements[name]
        low, high = _number(m.get("ready_min_s")), _number(m.get("ready_max_s"))
        reason = _reason(m)
        writeup = WRITEUP.get(name, {}).get("size_mb")
        pulled, pulled_from = pull_size(m)
        rows.append(
            {
                "tag": _text(m.get("tag")),
                "base images": base_label(m.get("base_source")),
                "size MB": _mb(m.get("size_bytes")),
                "pull MB": _mb(pulled),
                "pull MB from": pulled_from,
                "layers": _number(m.get("layers")),
                "build cold s": _round(m.get("build_cold_s"), 1),
                "build warm s": _round(m.get("build_warm_s"), 1),
                "ready s": _round(m.get("ready_s"), 2),
                "ready range s": f"{low:.2f}–{high:.2f}"
                if low is not None and high is not None
                else "",
                "Spring s": _round(m.get("spring_s"), 2),
                "memory MiB": _round(m.get("memory_mib"), 1),
                "push per change MB": _mb(m.get("push_bytes_per_change")),
                "shell": _text(m.get("shell")),
                "package manager": _text(m.get("package_manager")),
                "compiler": _compiler(m),
                "setuid files": _count(m.get("setuid_files")),
                "user": _text(m.get("user")),
                "packages": _count(m.get("packages")),
                WRITEUP_SIZE_COLUMN: float(writeup) if writeup is not None else None,
                "note": f"not measured here: {reason}" if reason else "",
            }
        )
    table = pd.DataFrame(rows, columns=list(SCOREBOARD_COLUMNS), index=pd.Index(names))
    for column in NUMERIC_SCOREBOARD_COLUMNS:  # missing figures are NaN, never None
        table[column] = table[column].astype("float64")
    blank = [c for c in OPTIONAL_SCOREBOARD_COLUMNS if table[c].isna().all()]
    table = _scoreboard_type()(table.drop(columns=blank))
    table.index.name = "variant"
    return table


# ---------------------------------------------------------------------------- plots


def _new_figure(width: float, height: float, ncols: int = 1) -> tuple[Figure, list]:
    """A pyplot-free Figure: returned, not auto-shown, so a notebook shows it exactly once."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    axes = [figure.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return figure, axes


def _bars(ax, names: list[str], values: dict[str, float], offset: float, width: float, **style):
    """Bars only where a value exists (a missing measurement draws nothing, not zero)."""
    present = [(i, values[n]) for i, n in enumerate(names) if n in values]
    if not present:
        return None
    xs = [i + offset for i, _ in present]
    heights = [v for _, v in present]
    return ax.bar(xs, heights, width, **style)


def plot_sizes(measurements: Measurements) -> Figure:
    """Disk size and pull size per variant (MB), with the write-up's size beside in grey."""
    names = ordered_variants(measurements)
    figure, (ax,) = _new_figure(max(6.0, 1.2 * len(names) + 2), 4.5)
    if not names:
        ax.text(0.5, 0.5, "nothing measured yet", ha="center", va="center")
        ax.set_axis_off()
        return figure
    disk = {n: _mb(measurements[n].get("size_bytes")) for n in names}
    pull = {n: _mb(pull_size(measurements[n])[0]) for n in names}
    writeup = {n: float(WRITEUP[n]["size_mb"]) for n in names if n in WRITEUP}
    width = 0.27
    series: list[tuple[dict[str, float], float, dict[str, Any]]] = [
        (
            {n: v for n, v in disk.items() if v is not None},
            -width,
            {"label": "disk size (measured here)", "color": MEASURED_COLOURS[0]},
        ),
        (
            {n: v for n, v in pull.items() if v is not None},
            0.0,
            {"label": "pull size (measured here: the registry's count where pushed, "
             "else a gzip -6 estimate)", "color": MEASURED_COLOURS[1]},
        ),
        (writeup, width, {"label": f"size, {WRITEUP_LABEL}", **WRITEUP_STYLE}),
    ]
    for values, offset, style in series:
        bars = _bars(ax, names, values, offset, width, **style)
        if bars is not None:
            ax.bar_label(bars, fmt="%.0f", fontsize=8, padding=2)
    _mark_not_measured(ax, names, measurements)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("MB (10⁶ bytes)")
    ax.set_title("Image size per variant" + _kit_note(names, measurements))
    # headroom above the tallest bar, and the legend below the axes: never over a label
    tallest = max([*disk.values(), *pull.values(), *writeup.values(), 0],
                  key=lambda v: v or 0) or 0
    ax.set_ylim(0, tallest * 1.15 or 1)
    # one entry per row: three long entries side by side outgrow a figure of few variants
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1,
              frameon=False)
    return figure


def plot_startup(measurements: Measurements) -> Figure:
    """Time to ready (median, min–max whiskers) and memory per variant."""
    names = ordered_variants(measurements)
    figure, (ready_ax, memory_ax) = _new_figure(max(9.0, 1.6 * len(names) + 3), 4.5, ncols=2)
    ready = {n: v for n in names if (v := _number(measurements[n].get("ready_s"))) is not None}
    memory = {n: v for n in names if (v := _number(measurements[n].get("memory_mib"))) is not None}
    writeup = {n: WRITEUP[n]["startup_s"] for n in names if (WRITEUP.get(n) or {}).get("startup_s")}
    width = 0.38
    tops = {ready_ax: max([*writeup.values(), 0.0]), memory_ax: max([*memory.values(), 0.0])}

    if ready:
        lower, upper = [], []
        for name in (n for n in names if n in ready):
            median = ready[name]
            low = _number(measurements[name].get("ready_min_s"))
            high = _number(measurements[name].get("ready_max_s"))
            lower.append(max(0.0, median - low) if low is not None else 0.0)
            upper.append(max(0.0, high - median) if high is not None else 0.0)
            tops[ready_ax] = max(tops[ready_ax], median + upper[-1])
        bars = _bars(
            ready_ax,
            names,
            ready,
            -width / 2,
            width,
            yerr=[lower, upper],
            capsize=4,
            color=MEASURED_COLOURS[0],
            label="ready, median of runs (measured here)",
        )
        ready_ax.bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
    if writeup:
        bars = _bars(
            ready_ax,
            names,
            writeup,
            width / 2,
            width,
            label=f"startup, {WRITEUP_LABEL}",
            **WRITEUP_STYLE,
        )
        ready_ax.bar_label(bars, fmt="%.1f", fontsize=8, padding=2)
    if memory:
        bars = _bars(
            memory_ax,
            names,
            memory,
            0.0,
            0.6,
            color=MEASURED_COLOURS[2],
            label="memory after ready (measured here)",
        )
        memory_ax.bar_label(bars, fmt="%.0f", fontsize=8, padding=2)

    _mark_not_measured(ready_ax, names, measurements)
    for ax, ylabel, title, has_data in (
        (ready_ax, "seconds until /readiness is UP", "Time to ready", ready or writeup),
        (memory_ax, "MiB", "Memory", memory),
    ):
        ax.set_xticks(range(len(names)), names)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if has_data:
            # as in plot_sizes: headroom for the labels on the tallest bar and whisker, and
            # the legend below the axes, where it covers no bar and no label
            ax.set_ylim(0, tops[ax] * 1.15 or 1)
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1,
                      frameon=False)
        else:
            ax.text(0.5, 0.5, "not measured yet", ha="center", va="center", transform=ax.transAxes)
    figure.suptitle("Startup and memory per variant" + _kit_note(names, measurements))
    return figure


def _short(text: str, limit: int = 60) -> str:
    text = re.sub(r"\s+", " ", str(text).replace("/bin/sh -c #(nop) ", "")).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plot_layers(layer_rows: Sequence[Mapping[str, Any]], title: str) -> Figure:
    """One horizontal bar per layer (first instruction on top), labelled with its share."""
    sizes = [max(0.0, _number(row.get("size_bytes")) or 0.0) for row in layer_rows]
    labels = [_short(row.get("instruction", "")) for row in layer_rows]
    total = sum(sizes)
    figure, (ax,) = _new_figure(9.0, 1.5 + 0.35 * max(1, len(sizes)))
    ax.set_title(title)
    if not sizes:
        ax.text(0.5, 0.5, "no layers", ha="center", va="center")
        ax.set_axis_off()
        return figure
    mb = [s / economics.BYTES_PER_MB for s in sizes]
    bars = ax.barh(range(len(mb)), mb, color=MEASURED_COLOURS[0])
    shares = [100 * s / total if total else 0.0 for s in sizes]
    ax.bar_label(
        bars,
        labels=[f"{m:.1f} MB ({p:.0f} %)" for m, p in zip(mb, shares, strict=True)],
        fontsize=8,
        padding=3,
    )
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("MB (10⁶ bytes)")
    ax.margins(x=0.2)
    return figure


# ---------------------------------------------------------------------------- economics

_SIZE_FROM = {
    "first_pull_bytes": f"pull size, {PULL_FROM_REGISTRY}",
    "pull_bytes": f"pull size, {PULL_FROM_ESTIMATE}",
    "size_bytes": "disk size (no pull size measured)",
    economics.CHANGE_KEY: "bytes a push sent per code change (registry's count)",
}
CHANGE_ROW = "{name} · one code change"
CHANGE_ROW_MISSING = "per code change"


def economics_view(measurements: Measurements, **params: Any) -> pandas.DataFrame:
    """The write-up's delivery arithmetic applied to the measured sizes, in human units.

    ``params`` are ``economics.delivery_table``'s (mbps, deploys_per_day, days, usd_per_gb,
    versions, startup_seconds); column titles carry the values used.

    Below the whole images come the code-change rows (``economics.change_table``): what a
    deploy of a one-line change moves to nodes that hold the previous version, from lab
    02's measured ``push_bytes_per_change``; with none measured, one row says to run lab 02.
    """
    import pandas as pd

    names = ordered_variants(measurements)
    variants = {n: measurements[n] for n in names}
    rows = economics.delivery_table(variants, **params)
    change_params = {k: v for k, v in params.items() if k != "startup_seconds"}
    for row in economics.change_table(variants, **change_params):
        name = row["variant"]
        row["variant"] = CHANGE_ROW.format(name=name) if name else CHANGE_ROW_MISSING
        rows.append(row)
    mbps = params.get("mbps", economics.DEFAULT_MBPS)
    per_day = params.get("deploys_per_day", economics.DEFAULT_DEPLOYS_PER_DAY)
    days = params.get("days", economics.DEFAULT_DAYS)
    usd = params.get("usd_per_gb", economics.DEFAULT_USD_PER_GB)
    versions = params.get("versions", economics.DEFAULT_VERSIONS)
    egress = f"egress $/month ({per_day:g}/day × {days:g} days at ${usd:g}/GB)"
    storage = f"registry GB ({versions:g} versions)"
    table = pd.DataFrame(
        [
            {
                "size MB": _mb(r["size_bytes"]),
                "size from": _SIZE_FROM.get(r["size_from"], "not measured"),
                f"push or pull s at {mbps:g} Mbps": _round(r["transfer_s"], 1),
                "push + pull s": _round(r["push_pull_s"], 1),
                "start s": _round(r["startup_s"], 2),
                "start from": r["startup_from"] or "",
                "cold start s (pull + start)": _round(r["cold_start_s"], 1),
                egress: _round(r["egress_usd_month"], 2),
                storage: _round(
                    None
                    if r["storage_bytes"] is None
                    else r["storage_bytes"] / economics.BYTES_PER_GB,
                    1,
                ),
                "note": _economics_note(r),
            }
            for r in rows
        ],
        index=pd.Index([r["variant"] for r in rows], name="variant"),
    )
    return table


def _economics_note(row: Mapping[str, Any]) -> str:
    if row["size_from"] == economics.CHANGE_KEY:
        return ("only the changed layers travel; storage: one image + one change per "
                "further version")
    if row["not_measured_reason"]:
        if row["size_from"] is None and row["variant"] == CHANGE_ROW_MISSING:
            return str(row["not_measured_reason"])
        return f"not measured here: {row['not_measured_reason']}"
    return ""


SLIDERS_TEXT = ("Sliders for bandwidth, deploys a day, egress $/GB and versions kept: in a live "
                "notebook, moving one re-prices the table above and shows it below them.")
REPRICED_CAPTION = "Re-priced with the sliders' values (they are in the column titles):"


def economics_widget(measurements: Measurements) -> None:
    """The table at the write-up's defaults, then sliders for bandwidth, deploys/day, $/GB
    and versions that re-price it below them once one moves.

    The defaults' table is an output of its own, not a part of the widget: a saved
    notebook, nbconvert or a headless run keep no widget state (they would show only the
    widget's text), and a slider's callback cannot update another output in JupyterLab.
    Without a kernel front end (a terminal, CI, a graded run) the table is printed instead.
    """
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        widgets = None
    if widgets is None or not progress.in_notebook():
        print(economics_view(measurements).to_string(na_rep="—"), flush=True)
        return

    class Sliders(widgets.VBox):
        """The sliders, read as one line of text where widgets cannot be drawn."""

        def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
            bundle = super()._repr_mimebundle_(**kwargs)
            if bundle:
                bundle["text/plain"] = SLIDERS_TEXT
            return bundle

    view = economics_view(measurements)
    display({"text/html": view.to_html(na_rep="—"), "text/plain": view.to_string(na_rep="—")},
            raw=True)

    style = {"description_width": "initial"}
    sliders = {
        "mbps": widgets.IntSlider(
            value=int(economics.DEFAULT_MBPS),
            min=10,
            max=1000,
            step=10,
            description="bandwidth (Mbps)",
            style=style,
        ),
        "deploys_per_day": widgets.IntSlider(
            value=economics.DEFAULT_DEPLOYS_PER_DAY,
            min=1,
            max=500,
            description="deploys/day",
            style=style,
        ),
        "usd_per_gb": widgets.FloatSlider(
            value=economics.DEFAULT_USD_PER_GB,
            min=0.0,
            max=0.25,
            step=0.01,
            description="egress $/GB",
            style=style,
        ),
        "versions": widgets.IntSlider(
            value=economics.DEFAULT_VERSIONS,
            min=1,
            max=500,
            description="versions kept",
            style=style,
        ),
    }
    repriced = widgets.HTML()  # empty until a slider moves: the defaults' table is above

    def refresh(_change: Any = None) -> None:
        params = {key: slider.value for key, slider in sliders.items()}
        repriced.value = (f"<p>{REPRICED_CAPTION}</p>"
                          + economics_view(measurements, **params).to_html(na_rep="—"))

    for slider in sliders.values():
        slider.observe(refresh, names="value")
    display(Sliders([*sliders.values(), repriced]))


# ---------------------------------------------------------------------------- recommendation
#
# The closing advice is data: ``RECOMMENDATION_RULES`` lists every paragraph it can say, in
# the order it says them, each a condition over the measured ``Comparison`` and a
# ``string.Template`` over ``Comparison.words()``. To change the advice, edit a rule; the
# arithmetic (what is smallest, fastest, compared with what) lives in ``compare`` alone.


def _mb_text(size: float) -> str:
    return f"{size / economics.BYTES_PER_MB:,.1f} MB"


def _s_text(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def _pick(values: Mapping[str, float], best: str) -> str:
    """First in the labs' order wins a tie, so the text is stable."""
    chooser = min if best == "min" else max
    target = chooser(values.values())
    return next(n for n in values if values[n] == target)


def _reference(values: Mapping[str, float], worst: str) -> tuple[str, str]:
    """What a winner is compared with: basic when measured (the labs' starting point), else
    the worst measured, said so. Returns the variant and how the text names it."""
    if "basic" in values:
        return "basic", "basic"
    ref = _pick(values, "max")
    return ref, f"{ref}, the {worst} measured"


# The catalog's variants that start the same jar on a plain JVM: only their base image or
# their Java runtime differs, and neither makes a JVM start faster, so a gap in startup
# between them is the machine's load. Only the others (aot, native, a learner's own image)
# may be faster by design, and only by SAME_START_RATIO or more does the advice say so.
SAME_JVM = ("basic", "ordered", "cache-mount", "multi", "layered", "jre", "alpine", "jlink")
# Medians of time to ready closer than this are the same start: a JVM's start on a busy
# machine varies that much from run to run.
SAME_START_RATIO = 1.3


def _ratio(slow: float, fast: float) -> float:
    return slow / fast if fast > 0 else float("inf")


def _startup_args(names: Sequence[str]) -> str:
    """What to pass to ``sl.startup`` to time these variants: ``"jre", "alpine"``."""
    return ", ".join(f'"{name}"' for name in names)


@dataclass(frozen=True)
class Comparison:
    """The measured figures the advice is drawn from, with its picks made once.

    ``smallest`` is only set once two or more variants can be compared; ``fastest`` only
    for a start that is faster by design (not in ``SAME_JVM``) and by ``SAME_START_RATIO``
    or more than the reference's: that is the only startup the advice counts as a reason.
    """

    sizes: dict[str, float]  # bytes that travel, per measured variant
    ready: dict[str, float]  # median seconds until ready
    on_disk: list[str]  # variants priced by their disk size (no pull size measured)
    skipped: dict[str, str]  # variant → why it was not measured here
    kit: list[str]  # measured variants built on kit stand-in base images
    smallest: str | None = None
    fastest: str | None = None
    cold_starts: dict[str, float] = field(default_factory=dict)  # pull + start, seconds

    @property
    def unstarted(self) -> list[str]:
        """Variants with a size but no startup figure: no ranking by speed can hold them."""
        return [n for n in self.sizes if n not in self.ready]

    @property
    def quickest(self) -> str | None:
        """The lowest median of two or more, whether or not the gap means anything."""
        return _pick(self.ready, "min") if len(self.ready) > 1 else None

    @property
    def same_start(self) -> bool:
        """Two or more startups, all within ``SAME_START_RATIO`` of one another."""
        if self.quickest is None:
            return False
        return _ratio(max(self.ready.values()), self.ready[self.quickest]) < SAME_START_RATIO

    @property
    def unclear_start(self) -> bool:
        """Startups apart by more than the noise, but no variant faster by design won."""
        return self.quickest is not None and self.fastest is None and not self.same_start

    @property
    def on_kit(self) -> bool:
        """The advice's pick stands on kit stand-in figures: say so, never "ship it"."""
        return any(name in self.kit for name in (self.smallest, self.fastest) if name)

    def words(self) -> dict[str, str]:
        """Every figure a rule's template may name, formatted once; a figure that does not
        exist (no smallest with one size) is simply absent."""
        words = {
            "mbps": f"{economics.DEFAULT_MBPS:g}",
            "deploys": f"{economics.DEFAULT_DEPLOYS_PER_DAY}",
            "noise": f"{SAME_START_RATIO:g}",
            "kit": join_names(self.kit) if self.kit else "",
            "kit_were": "was" if len(self.kit) == 1 else "were",
            "on_disk": join_names(self.on_disk) if self.on_disk else "",
        }
        if len(self.sizes) == 1:
            only, size = next(iter(self.sizes.items()))
            words.update(only_sized=only, only_size=_mb_text(size))
        if len(self.ready) == 1:
            only, seconds = next(iter(self.ready.items()))
            words.update(only_timed=only, only_ready=_s_text(seconds))
        if self.smallest is not None:
            words.update(self._size_words(self.smallest))
        if self.quickest is not None:
            slowest = _pick(self.ready, "max")
            words.update(quickest=self.quickest, quickest_ready=_s_text(self.ready[self.quickest]),
                         slowest=slowest, slowest_ready=_s_text(self.ready[slowest]),
                         timed_args=_startup_args(list(self.ready)))
        if self.fastest is not None:
            words.update(self._ready_words(self.fastest))
        if self.cold_starts:
            first = _pick(self.cold_starts, "min")
            words.update(first_to_serve=first, first_serves=_s_text(self.cold_starts[first]))
        if self.unstarted:
            one = len(self.unstarted) == 1
            words.update(unstarted=join_names(self.unstarted),
                         unstarted_args=_startup_args(self.unstarted),
                         it_is="it is" if one else "they are", them="it" if one else "them")
        found, here = self.writeup_pairs()
        if found:
            words.update(writeup_found=" and ".join(found), here=" and ".join(here))
        return words

    def writeup_pairs(self) -> tuple[list[str], list[str]]:
        """What the write-up found among the variants measured here, and what was found
        here; a variant not measured here is never named."""
        found: list[str] = []
        here: list[str] = []
        sized = [n for n in self.sizes if n in WRITEUP]
        if self.smallest is not None and len(sized) > 1:
            theirs = min(sized, key=lambda n: WRITEUP[n]["size_mb"])
            found.append(f"{theirs} smallest ({WRITEUP[theirs]['size_mb']} MB)")
            here.append(f"{self.smallest} is smallest "
                        f"{'as well' if self.smallest == theirs else 'instead'}")
        timed = [n for n in self.ready if n in WRITEUP]
        quick = [n for n in timed if WRITEUP[n]["startup_s"]]  # the others: "normal"
        if self.fastest is not None and quick and len(timed) > 1:
            theirs = min(quick, key=lambda n: WRITEUP[n]["startup_s"])
            found.append(f"{theirs} fastest ({WRITEUP[theirs]['startup']})")
            here.append(f"{self.fastest} is fastest "
                        f"{'as well' if self.fastest == theirs else 'instead'}")
        return found, here

    def _size_words(self, smallest: str) -> dict[str, str]:
        ref, ref_name = _reference(self.sizes, "largest")
        small, big = self.sizes[smallest], self.sizes[ref]
        saving = economics.monthly_egress_usd(big) - economics.monthly_egress_usd(small)
        return {
            "smallest": smallest,
            "smallest_size": _mb_text(small),
            "smallest_transfer": _s_text(economics.transfer_seconds(small)),
            "size_ref": ref,
            "size_ref_name": ref_name,
            "size_ref_size": _mb_text(big),
            "size_ref_transfer": _s_text(economics.transfer_seconds(big)),
            "size_cut": f"{100 * (1 - small / big) if big else 0.0:.0f}",
            "egress_saving": f"${saving:,.2f}",
        }

    def _ready_words(self, fastest: str) -> dict[str, str]:
        ref, ref_name = _reference(self.ready, "slowest")
        fast, slow = self.ready[fastest], self.ready[ref]
        return {
            "fastest": fastest,
            "fastest_ready": _s_text(fast),
            "ready_ref": ref,
            "ready_ref_name": ref_name,
            "ready_ref_ready": _s_text(slow),
            "speedup": f"{_ratio(slow, fast):.1f}",
            "sooner": _s_text(slow - fast),
        }


def _faster_by_design(ready: Mapping[str, float]) -> str | None:
    """The quickest start, when it is no plain JVM's and beats the reference by
    ``SAME_START_RATIO`` or more; else None (the same JVM starting the same jar, or noise)."""
    if len(ready) < 2:
        return None
    quickest = _pick(ready, "min")
    ref, _ = _reference(ready, "slowest")
    if quickest in SAME_JVM or _ratio(ready[ref], ready[quickest]) < SAME_START_RATIO:
        return None
    return quickest


def compare(measurements: Measurements) -> Comparison:
    """The figures the advice may use: a variant that was not measured here counts nowhere;
    the pull size is priced where measured, else the disk size (and the advice says so)."""
    names = ordered_variants(measurements)
    skipped = {n: _reason(measurements[n]) for n in names if _reason(measurements[n])}
    usable = [n for n in names if n not in skipped]
    sizes: dict[str, float] = {}
    on_disk: list[str] = []
    for name in usable:
        size, key = _delivery_bytes(measurements[name])
        if size is not None:
            sizes[name] = size
            if key == "size_bytes":
                on_disk.append(name)
    ready = {n: v for n in usable if (v := _number(measurements[n].get("ready_s"))) is not None}
    cold_starts = {
        n: economics.cold_start_seconds(sizes[n], startup_seconds=ready[n])
        for n in sizes
        if n in ready
    }
    return Comparison(
        sizes=sizes,
        ready=ready,
        on_disk=on_disk,
        skipped=skipped,
        kit=[n for n in kit_variants(measurements) if n in usable],
        smallest=_pick(sizes, "min") if len(sizes) > 1 else None,
        fastest=_faster_by_design(ready),
        cold_starts=cold_starts if len(cold_starts) > 1 else {},
    )


def _once(_comparison: Comparison) -> tuple[dict[str, str], ...]:
    return ({},)


def _each_skipped(comparison: Comparison) -> list[dict[str, str]]:
    return [
        {
            "name": name,
            "reason": reason,
            "writeup": "only the write-up's figures speak for it"
            if name in WRITEUP
            else "the write-up has no figures for it either",
        }
        for name, reason in comparison.skipped.items()
    ]


@dataclass(frozen=True)
class Rule:
    """One paragraph of the advice: said when ``when`` holds, once for each row ``each``
    gives (its words join ``Comparison.words()`` in the template)."""

    when: Callable[[Comparison], bool]
    text: str  # a string.Template
    each: Callable[[Comparison], Iterable[Mapping[str, str]]] = _once


def _one_winner(c: Comparison) -> bool:
    return c.smallest is not None and c.smallest == c.fastest


def _two_winners(c: Comparison) -> bool:
    return None not in (c.smallest, c.fastest) and c.smallest != c.fastest


RECOMMENDATION_RULES: tuple[Rule, ...] = (
    Rule(
        lambda c: not c.sizes and not c.ready,
        "Nothing has been measured yet: run the labs' measurement cells, then ask again.",
    ),
    Rule(
        lambda c: len(c.sizes) == 1,
        "Only $only_sized has a measured size so far ($only_size); "
        "measure more variants to compare them.",
    ),
    Rule(
        lambda c: c.smallest is not None and c.smallest == _reference(c.sizes, "largest")[0],
        "Smallest to deliver: $size_ref itself ($size_ref_size); none of the slimmer variants "
        "came out smaller here, so check their builds.",
    ),
    Rule(
        lambda c: c.smallest is not None and c.smallest != _reference(c.sizes, "largest")[0],
        "Smallest to deliver: $smallest, $smallest_size to pull, $size_cut % less than "
        "$size_ref_name ($size_ref_size). At the write-up's $mbps Mbps a push or pull takes "
        "$smallest_transfer instead of $size_ref_transfer, and at $deploys deploys a day it "
        "saves $egress_saving a month in egress.",
    ),
    Rule(
        lambda c: len(c.ready) == 1,
        "Only $only_timed has a measured startup so far ($only_ready).",
    ),
    Rule(
        lambda c: c.fastest is not None,
        "Fastest to be ready: $fastest, $fastest_ready (median), ${speedup}× faster than "
        "$ready_ref_name ($ready_ref_ready), $sooner sooner.",
    ),
    Rule(
        lambda c: c.same_start,
        "Time to ready is about the same here: $quickest_ready to $slowest_ready (medians), "
        "less than ${noise}× apart, which a busy machine varies from run to run; startup "
        "does not decide between these variants.",
    ),
    Rule(
        lambda c: c.unclear_start,
        "Time to ready ranges from $quickest_ready ($quickest) to $slowest_ready ($slowest) "
        "here (medians). A slimmer base image or Java runtime does not make the same JVM start "
        "the same jar faster, so a gap like this is the machine's load rather than the image: "
        "time them again together (sl.startup([$timed_args])) before counting on it.",
    ),
    Rule(
        lambda c: bool(c.sizes) and not c.ready,
        "No startup has been measured yet, so speed is not part of this advice: time $them "
        "with sl.startup([$unstarted_args]).",
    ),
    Rule(
        lambda c: _one_winner(c) and not c.on_kit,
        "$smallest is both the smallest and the fastest here: ship it.",
    ),
    Rule(
        lambda c: _one_winner(c) and c.on_kit,
        "On these kit stand-in figures, $smallest is both the smallest and the fastest of the "
        "variants measured here.",
    ),
    Rule(
        lambda c: _two_winners(c) and not c.on_kit,
        "No single winner: choose $smallest when delivery matters most (pull time, egress, "
        "registry storage), $fastest when scale-out speed matters most.",
    ),
    Rule(
        lambda c: _two_winners(c) and c.on_kit,
        "No single winner on these kit stand-in figures: $smallest is the smallest to deliver "
        "(pull time, egress, registry storage), $fastest the fastest to start (scale-out).",
    ),
    Rule(
        lambda c: bool(c.cold_starts),
        "Counting pull and start together (a new node at $mbps Mbps), "
        "$first_to_serve serves first: $first_serves.",
    ),
    Rule(
        lambda c: bool(c.ready) and bool(c.unstarted),
        "No startup has been measured for $unstarted, so $it_is left out of the startup "
        "figures above (time to ready, pull and start together): time $them with "
        "sl.startup([$unstarted_args]) to add $them.",
    ),
    Rule(
        lambda c: bool(c.writeup_pairs()[0]),
        "Of the variants measured here, the write-up found $writeup_found on its machine; "
        "here $here.",
    ),
    Rule(
        lambda c: bool(c.kit),
        "Caveat: $kit $kit_were built on kit stand-in base images, so the megabytes differ "
        "from upstream images and from the write-up's; compare the ratios between variants, "
        "not the absolute sizes.",
    ),
    Rule(
        lambda c: bool(c.on_disk),
        "Caveat: no pull size was measured for $on_disk; the on-disk size stands in, which "
        "overstates what travels (layers are compressed on the wire).",
    ),
    Rule(
        lambda c: bool(c.skipped),
        "Not measured here: $name ($reason), so it is left out of this comparison; $writeup.",
        each=_each_skipped,
    ),
)


def render(rules: Iterable[Rule], comparison: Comparison) -> str:
    """The paragraphs of every rule that holds, in order, one blank line apart."""
    words = comparison.words()
    return "\n\n".join(
        Template(rule.text).substitute(words, **row)
        for rule in rules
        if rule.when(comparison)
        for row in rule.each(comparison)
    )


def recommendation(measurements: Measurements) -> str:
    """A closing recommendation computed from the measured numbers (never fixed text)."""
    return render(RECOMMENDATION_RULES, compare(measurements))


# ---------------------------------------------------------------------------- checklist
#
# The write-up closes with seven questions (its "요약: 최적화 체크리스트"). Each is tied here
# to the checkpoints of labs 01–05 that prove it on the learner's own images, by lab and
# checkpoint name exactly as the notebooks record them. tests/unit/test_checklist.py keeps
# every name in step with the notebooks.


@dataclass(frozen=True)
class ChecklistItem:
    """One of the write-up's checklist questions and the checkpoints that prove it."""

    english: str
    korean: str  # the write-up's own words
    proofs: tuple[tuple[str, str], ...]  # (lab, checkpoint name): at least one


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "Base image replaced by Alpine or distroless",
        "베이스 이미지를 Alpine 또는 Distroless로 교체했는가?",
        (("03-jre-alpine", "bookshelf:alpine is smaller than bookshelf:jre"),
         ("04-jlink", "no shell, build tools or debug files in bookshelf:jlink")),
    ),
    ChecklistItem(
        "Multi-stage build applied",
        "Multi-Stage Build를 적용했는가?",
        (("02-multistage", "no sources, Maven or ~/.m2 in bookshelf:multi"),
         ("02-multistage", "bookshelf:multi is smaller than basic (size ratio)")),
    ),
    ChecklistItem(
        "Build tools kept apart from the runtime",
        "빌드 도구와 런타임 환경을 분리했는가?",
        (("03-jre-alpine", "no javac inside bookshelf:jre"),
         ("03-jre-alpine",
          "nothing from the build inside bookshelf:jre (sources, Maven, javac, jlink)"),
         ("05-native", "no JVM, jar or build tools inside bookshelf:native")),
    ),
    ChecklistItem(
        "Dockerfile instructions ordered by how often they change",
        "Dockerfile 명령어를 변경 빈도 순으로 정렬했는가?",
        (("01-layers", "Dockerfile.ordered resolves dependencies before it copies src"),
         ("01-layers", "good order serves the dependency step from cache"),
         ("01-layers", "good order rebuilds faster (time ratio good/bad)"),
         ("02-multistage", "layered push per change ≤ a tenth of the single jar's")),
    ),
    ChecklistItem(
        "Install and clean up in one RUN",
        "하나의 RUN 명령에서 설치와 정리를 함께 수행하는가?",
        (("01-layers", "same-RUN cleanup image is smaller"),
         ("01-layers", "no apt lists in any layer of the same-RUN image"),
         ("01-layers", "the same-RUN image still installs curl")),
    ),
    ChecklistItem(
        "Unneeded files kept out with .dockerignore",
        ".dockerignore로 불필요한 파일을 제외했는가?",
        (("01-layers", ".dockerignore keeps target/ out of the build context"),
         ("01-layers", ".dockerignore shrinks the context of a checkout with target/"),
         ("01-layers", "the build context still holds pom.xml, .mvn and src")),
    ),
    ChecklistItem(
        "Production dependencies only",
        "프로덕션 의존성만 설치했는가? (npm ci --only=production)",
        (("02-multistage", "no in-memory database in bookshelf:production"),
         ("02-multistage", "the PostgreSQL driver is still in bookshelf:production"),
         ("02-multistage", "bookshelf:production refuses to start without a database URL")),
    ),
)

CHECKLIST_PASSED = f"{PASS_MARK} passed"
CHECKLIST_FAILED = f"{FAIL_MARK} failed"
CHECKLIST_NOT_RUN = "not run yet"
CHECKLIST_SKIPPED = "skipped here"
CHECKLIST_NOT_RECORDED = "not recorded"
_NAMED_VARIANT = re.compile(r"bookshelf:([\w-]+)")


def _unrecorded(lab: str, name: str, labs_run: set[str], measurements: Measurements) -> str:
    """Why a proof has no result. A checkpoint on an image that could not be built here
    (lab 05's native, without a GraalVM builder) is skipped, not failed, and records
    nothing: the image's recorded "not measured here" reason says why. A lab that has run
    is never told to run."""
    for variant in _NAMED_VARIANT.findall(name):
        reason = _reason(measurements.get(variant) or {})
        if reason:
            return f"{CHECKLIST_SKIPPED}: {reason} (see lab {lab[:2]})"
    if lab in labs_run:
        return (f"{CHECKLIST_NOT_RECORDED} (lab {lab[:2]} has run, this checkpoint not: "
                "run its cell)")
    return f"{CHECKLIST_NOT_RUN} (run lab {lab[:2]})"


def checklist(results: Sequence[CheckpointResult] | None = None, *, path: Path | None = None,
              learner: str | None = None,
              measurements: Measurements | None = None) -> pandas.DataFrame:
    """The write-up's seven checklist items, each with the checkpoints of labs 01–05 that
    prove it and their latest outcome in this run: passed, failed, skipped here (with the
    reason recorded), or not run yet (with the measured figure).

    ``results`` are ``CheckpointResult``s; by default the results file is read
    (``path`` or ``config.results_file()``), keeping ``learner``'s (default: this
    learner's) checkpoints and measurements. ``measurements`` (``load_measurements``'s)
    say which checkpoints were skipped; given ``results``, none are read unless given.
    One row per (item, checkpoint).
    """
    import pandas as pd

    if results is None:
        who = config.learner() if learner is None else learner
        results = [r for r in load_results(path) if r.learner == who]
        if measurements is None:
            measurements = load_measurements(path, learner=who)
    measurements = measurements or {}
    latest = {(r.lab, r.name): r for r in results}
    labs_run = {r.lab for r in results}  # not measurements: sl.ensure records other labs'
    rows, index = [], []
    for number, item in enumerate(CHECKLIST, start=1):
        label = f"{number}. {item.english} ({item.korean})"
        for lab, name in item.proofs:
            index.append((label, f"{lab} · {name}"))
            found = latest.get((lab, name))
            if found is None:
                rows.append({"measured": "", "expected": "",
                             "result": _unrecorded(lab, name, labs_run, measurements)})
                continue
            measured = format_value(found.measured)
            if found.unit and found.measured is not None:
                measured = f"{measured} {found.unit}"
            rows.append({"measured": measured,
                         "expected": found.expected,
                         "result": CHECKLIST_PASSED if found.passed else CHECKLIST_FAILED})
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(
        index, names=["write-up checklist item", "proved by (lab · checkpoint)"]),
        columns=["measured", "expected", "result"])
