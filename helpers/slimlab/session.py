"""The first cell of every lab: is everything in place, and what will be measured on?"""

from __future__ import annotations

from slimlab import config, engine
from slimlab.containers import remove_orphans
from slimlab.kit.mirror import mirror_url_for_builds
from slimlab.workbook import bases_table

NO_MIRROR = "none (Maven's default repository)"
NO_MIRROR_YET = ("; where the kit stands in for the base images, `slimlab prepare` primes a "
                 "local repository and later runs use a mirror of it")


def mirror_fact(url: str, setting: str) -> str:
    """The Maven mirror builds use; with ``auto`` and none yet, when one will appear (so
    ``slimlab doctor`` before ``prepare`` does not contradict what ``prepare`` sets up)."""
    if url:
        return url
    return NO_MIRROR + (NO_MIRROR_YET if setting == "auto" else "")


def setup(lab: str = "", show: bool = True) -> dict:
    """Connect to the engine, remove containers a dead kernel left, resolve base images
    and start the Maven mirror if one is configured. Raises with the fix when the engine
    is missing; shows a short table otherwise."""
    _short_sdk_errors()
    facts = dict(engine.engine_summary())
    orphans = remove_orphans()
    facts["workbook"] = str(config.workbook_root())
    if config.workbook_root() != config.repo_root():
        facts["workbook"] += f" (helpers installed from {config.repo_root()})"
    facts["profile"] = config.profile()
    facts["maven mirror"] = mirror_fact(mirror_url_for_builds(), config.maven_mirror())
    facts["results file"] = str(config.results_file())
    if orphans:
        facts["cleaned up"] = f"{orphans} container(s) a stopped kernel left behind"
    bases = bases_table()
    found = environment(bases, facts["maven mirror"])
    _enable_figures()
    if show:
        _show(lab, facts, bases, found)
    return {"engine": facts, "bases": bases, "environment": found}


def environment(bases: list[dict], mirror: str) -> list[str]:
    """What this run measures on, in sentences built only from what setup found: the
    labs' prose never states it, because it differs from one machine to the next."""
    by_arg = {row["argument"]: row for row in bases}
    sources = {row["source"] for row in bases if row["argument"] != "NATIVE_BUILDER_IMAGE"}
    said = []
    if sources == {"upstream"}:
        said.append("Base images: the upstream ones, as pulled from their registries.")
    elif "kit" in sources:
        said.append("Base images: kit stand-ins built from Debian packages (marked 'kit'), "
                    "because the upstream ones are not on this engine; sizes differ from "
                    "upstream's.")
    small = by_arg.get("JRE_SMALL_IMAGE", {})
    if small.get("source") == "kit":
        said.append("No Alpine (musl) image is on this engine: the smallest JRE base is the "
                    "kit's glibc stand-in, not Alpine.")
    builder = by_arg.get("NATIVE_BUILDER_IMAGE", {})
    if builder.get("source") not in ("upstream", None):
        said.append("GraalVM's native-image builder is not on this engine: lab 05 explains "
                    "the native image and measures what it can without building one.")
    if mirror.startswith("http://127.0.0.1"):
        said.append(f"Maven downloads from a mirror on this machine ({mirror}): a full "
                    "dependency download takes seconds here, minutes over a real network.")
    elif mirror.startswith("none"):
        said.append("Maven downloads from its default repository (Maven Central) over your "
                    "network, as at work.")
    else:
        said.append(f"Maven downloads through the mirror {mirror}.")
    return said


def _short_sdk_errors() -> None:
    """In a notebook, an error the Docker SDK raises past the helpers (a timeout, a lost
    connection) shows as one short message with its fix, like Slimlab's own errors."""
    from slimlab.progress import in_notebook

    if not in_notebook():
        return
    from IPython import get_ipython

    def handler(shell, etype, value, tb, tb_offset=None):  # IPython's custom-exception API
        short = engine.short_error(value)
        shell.showtraceback((type(short), short, tb))  # shown as Slimlab's own errors are

    get_ipython().set_custom_exc(engine.sdk_errors(), handler)


def _enable_figures() -> None:
    """Render returned matplotlib Figures as PNG: the report's plots are pyplot-free, and
    IPython shows a bare Figure only once a formatter for it is registered (pyplot's
    inline backend would do it, but nothing imports pyplot)."""
    from slimlab.progress import in_notebook

    if not in_notebook():
        return
    from IPython import get_ipython
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(get_ipython(), {"png"}, bbox_inches="tight")


def _show(lab: str, facts: dict, bases: list[dict], found: list[str]) -> None:
    import pandas as pd

    from slimlab.progress import in_notebook

    engine_table = pd.DataFrame(facts.items(), columns=["", lab or "slimlab"])
    bases_frame = pd.DataFrame(bases)[["argument", "used here", "source", "note"]]
    if in_notebook():
        from IPython.display import display

        display(engine_table.style.hide(axis="index"), bases_frame.style.hide(axis="index"))
    else:
        for key, value in facts.items():
            print(f"{key:>16}  {value}")
        for row in bases:
            print(f"{row['argument']:>20}  {row['used here']:30} {row['source']:8} {row['note']}")
    for sentence in found:
        print(sentence)
