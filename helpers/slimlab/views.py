"""Tables and small views every lab shows: captioned tables, a Dockerfile, an image's
layers and contents, images side by side, and a lab's closing summary.

The lab modules (``slimlab.labs``) build their demonstrations on these, and notebooks reach
them as ``sl.views.<name>``. Every view renders as HTML in JupyterLab (``_repr_html_``) and as
plain text elsewhere; every figure in it is measured in this run, never typed in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slimlab import config, workbook
from slimlab.metrics.image import ImageReport, clean_instruction, inspect

if TYPE_CHECKING:
    import pandas

MB = 1e6  # the workbook's MB: 10⁶ bytes, as in report and economics
# Instructions that change only the image's configuration, never its file system.
METADATA = ("LABEL", "CMD", "ENV", "EXPOSE", "WORKDIR", "ARG", "USER", "ENTRYPOINT",
            "HEALTHCHECK", "STOPSIGNAL", "SHELL", "VOLUME", "ONBUILD", "MAINTAINER")
HEX_RUN = re.compile(r"\b([0-9a-f]{12})[0-9a-f]{20,}\b")
KIT_TOP_LABEL = "LABEL slimlab.stands-in-for="


# ---------------------------------------------------------------------------- units and tables


def to_mb(size: float) -> float:
    """Bytes as the workbook's MB (10⁶), one decimal: the unit every table shows."""
    return round(size / MB, 1)


def short(text: str, limit: int = 72) -> str:
    """One line, long digests cut (``ADD file:2d0ae212aafa… in /``), at most ``limit``."""
    text = HEX_RUN.sub(r"\1…", " ".join(str(text).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tag_of(what: str) -> str:
    """The image tag a catalog name (or a tag) stands for, so captions name real images."""
    return workbook.resolve(what).tag


def dockerfile_of(what: str) -> Path | None:
    """The Dockerfile a catalog name builds from (None for a bare tag): where its bases are
    named, so a view can say whether they are kit stand-ins."""
    return workbook.resolve(what).dockerfile


def stand_in_note(dockerfile: Path | str | None) -> str:
    """`` (kit stand-in bases)`` when the Dockerfile's bases resolve to kit images, so
    every figure measured on them says so where it is shown."""
    if dockerfile is None:
        return ""
    path = Path(dockerfile)
    path = path if path.is_absolute() else config.workbook_root() / path
    source = workbook.base_source(workbook.base_args(path))
    return " (kit stand-in bases)" if source in ("kit", "mixed") else ""


def table_html(frame: pandas.DataFrame, caption: str = "") -> str:
    """A frame as an HTML table without its index, the caption above it, 1 decimal."""
    styler = frame.style.hide(axis="index").format(precision=1, thousands=",")
    if caption:
        styler = styler.set_caption(html.escape(caption)).set_table_styles(
            [{"selector": "caption", "props": "caption-side: top; text-align: left; "
              "font-weight: bold; padding: 4px 0;"}])
    return styler.to_html()


def table_text(frame: pandas.DataFrame, caption: str = "") -> str:
    """The same table as plain text, for consoles and logs."""
    body = frame.to_string(index=False)
    return f"{caption}\n{body}" if caption else body


def points_html(points: Sequence[str]) -> str:
    """Key points as an HTML list, escaped (they quote paths and instructions)."""
    return "<ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in points) + "</ul>"


def dataframe(rows: list[dict]) -> pandas.DataFrame:
    """Rows as a DataFrame, pandas imported only when a table is drawn."""
    import pandas as pd

    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- layers


def base_rows(report: ImageReport, dockerfile: Path | None) -> int:
    """How many history rows (oldest first) the final stage's base image contributed: the
    longest base whose layers (diff IDs) begin this image's, counted by its own history.
    Diff IDs are the same on every store; history ids are ``<missing>`` under BuildKit."""
    if dockerfile is None:
        return 0
    last = 0
    mine = report.layer_digests
    for resolved in workbook.base_args(dockerfile):
        try:
            base = inspect(resolved.image)
            theirs = base.layer_digests
            if theirs and mine[: len(theirs)] == theirs and len(theirs) < len(mine):
                last = max(last, len(base.history))
        except Exception:  # a base that is not here cannot be recognised; rows stay "ours"
            continue
    if last == 0:  # the base was rebuilt since: a kit base still ends with its own label
        for i, row in enumerate(report.history, start=1):
            if KIT_TOP_LABEL in row.get("CreatedBy", ""):
                last = i
    return last


def filesystem_layers(what: str, own_only: bool = False,
                      dockerfile: Path | None = None) -> list[dict]:
    """One row per layer, oldest first (RUN, COPY, ADD, and a WORKDIR that had to create
    its folder), with the ones of size 0 kept: a ``RUN rm`` layer weighs nothing yet
    deletes nothing either. ``dockerfile`` names the image's Dockerfile for a tag."""
    report = workbook.image(what)
    n_base = base_rows(report, dockerfile or dockerfile_of(what))
    total = report.size_bytes or 1
    rows = []
    for i, row in enumerate(report.history, start=1):
        instruction = clean_instruction(row.get("CreatedBy", ""))
        if row.get("EmptyLayer", instruction.split(" ", 1)[0] in METADATA):
            continue  # made no layer (a WORKDIR that created its folder did: it stays)
        if own_only and i <= n_base:
            continue
        size = max(0, row.get("Size", 0))
        rows.append({"from": "base image" if i <= n_base else "this Dockerfile",
                     "instruction": instruction, "size_bytes": size, "share": size / total})
    return rows


@dataclass
class Table:
    """A table with a caption (the image, and whether its bases are kit stand-ins)."""

    frame: pandas.DataFrame
    caption: str = ""

    def _repr_html_(self) -> str:
        return table_html(self.frame, self.caption)

    def __repr__(self) -> str:
        return table_text(self.frame, self.caption)


def table(rows: Sequence[dict], caption: str = "") -> Table:
    """Rows as a captioned table (HTML in JupyterLab, text elsewhere)."""
    return Table(dataframe(list(rows)), caption)


def layer_table(what: str = "basic", own_only: bool = False) -> Table:
    """One row per file-system layer: where it comes from, its instruction, MB, share."""
    rows = filesystem_layers(what, own_only)
    frame = dataframe([{"#": i, "from": r["from"], "instruction": short(r["instruction"]),
                        "MB": to_mb(r["size_bytes"]), "share %": round(100 * r["share"], 1)}
                       for i, r in enumerate(rows, start=1)])
    size = to_mb(workbook.image(what).size_bytes)
    return Table(frame, f"Layers of {tag_of(what)}: {size:,.0f} MB in all"
                 f"{stand_in_note(dockerfile_of(what))}")


# ---------------------------------------------------------------------------- summaries


@dataclass
class Summary:
    """A closing table and key points, every figure taken from this run's results."""

    title: str
    rows: list[dict] = field(default_factory=list)
    points: list[str] = field(default_factory=list)

    def table(self) -> pandas.DataFrame:
        return dataframe(self.rows)

    def _repr_html_(self) -> str:
        return (table_html(self.table(), self.title) + "<b>Key points</b>"
                + points_html(self.points))

    def __repr__(self) -> str:
        return "\n".join([table_text(self.table(), self.title), "Key points:",
                          *("- " + p for p in self.points)])


# ---------------------------------------------------------------------------- small views


def show_dockerfile(what: str | Path) -> Any:
    """A Dockerfile as a highlighted block (a catalog name or a path), so a cell shows
    exactly what the next build reads."""
    from IPython.display import Markdown

    path = workbook.resolve(what).buildable()
    rel = path.relative_to(config.workbook_root()) if path.is_relative_to(config.workbook_root()) \
        else path
    return Markdown(f"`{rel}`\n```dockerfile\n{path.read_text().rstrip()}\n```")


def books(body: Any, n: int = 5) -> pandas.DataFrame:
    """The first books of an ``/api/books`` answer as a table (a page or a plain list)."""
    items = body.get("content", body) if isinstance(body, dict) else body
    if not isinstance(items, list):
        return dataframe([{"answer": short(str(body), 120)}])
    keep = ("id", "title", "author", "publicationYear")
    return dataframe([{k: item.get(k) for k in keep} for item in items[:n]
                      if isinstance(item, dict)])


# ---------------------------------------------------------------------------- images side by side


def leftovers(what: str) -> list[str]:
    """What must not be in the image (sources, Maven, ~/.m2) but is: the first path found
    for each such pattern, so a hint names one example of each kind."""
    return [row["found"][0] for row in workbook.contents_check(what)
            if row["wanted"] == "absent" and row["found"]]


def non_root(what: str) -> bool:
    """True when the image's configured user is neither empty nor root (name or uid 0)."""
    user = workbook.image(what).user.split(":", 1)[0]
    return user not in ("", "root", "0")


def size_ratio(what: str, baseline: str) -> float:
    """An image's size over a baseline's, both measured now (below 1: smaller)."""
    return workbook.image(what).size_bytes / workbook.image(baseline).size_bytes


def contents(what: str) -> pandas.DataFrame:
    """The catalog's must / must-not contents of an image, and what was found."""
    rows = workbook.contents_check(what)
    return dataframe([{"pattern": "/" + r["pattern"], "wanted": r["wanted"],
                       "found": ", ".join(r["found"]) or "nothing",
                       "ok": "✔" if r["ok"] else "✘"} for r in rows])


def measured(*names: str) -> dict[str, dict]:
    """This learner's latest recorded measurements for some variants (for report plots)."""
    from slimlab.checkpoints import load_measurements

    everything = load_measurements(learner=config.learner())
    return {n: everything[n] for n in names if n in everything}


def _final_base(what: str) -> str | None:
    """The image the variant's last stage starts from, as this profile resolves it."""
    from slimlab import engine
    from slimlab.dockerfile import final_base

    dockerfile = dockerfile_of(what)
    if dockerfile is None:
        return None
    args = {r.arg: r.image for r in workbook.base_args(dockerfile)}
    base = final_base(dockerfile.read_text(), args)
    return base if base and engine.image_exists(base) else None


def compare_images(*whats: str) -> pandas.DataFrame:
    """Size, pull size, layers and what is inside, side by side; the write-up's size in a
    column of its own, marked as its author's machine."""
    from slimlab.metrics.surface import compiler_names, surface
    from slimlab.report import WRITEUP, WRITEUP_SIZE_COLUMN

    rows = []
    for what in whats:
        report = workbook.image(what)
        found = surface(report)
        name = what if ":" not in what else what.split(":")[-1]
        base = _final_base(what)
        base_bytes = workbook.image(base).size_bytes if base else 0
        rows.append({"image": tag_of(what) + stand_in_note(dockerfile_of(what)),
                     "size MB": to_mb(report.size_bytes), "pull MB": to_mb(report.pull_bytes),
                     "final stage FROM": short(base or "—", 34),
                     "base MB": to_mb(base_bytes) if base else None,
                     "added MB": to_mb(report.size_bytes - base_bytes) if base else None,
                     "layers": report.layer_count,
                     "Maven": "yes" if found.maven else "no",
                     "compiler": ", ".join(compiler_names(found.compilers)) or "no",
                     "user": found.user,
                     WRITEUP_SIZE_COLUMN: WRITEUP.get(name, {}).get("size_mb")})
    return dataframe(rows)
