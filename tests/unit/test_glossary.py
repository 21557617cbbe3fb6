"""labs/glossary.md: every entry has a Korean term, a Korean term credited to the write-up
is the write-up's own, the terms the labs lean on are all there, and the labs link to it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "labs" / "glossary.md"
WRITEUP = ROOT.parent / "shared" / "writeup" / "000_fefc88074a28910a.txt"
LINK = "](../glossary.md)"
# Every lab's first markdown cell links to the glossary.
LINKED_LABS = ("01-layers", "02-multistage", "03-jre-alpine", "04-jlink", "05-native")

ENTRY = re.compile(r"^- \*\*(?P<term>[^*]+)\*\* \((?P<korean>[^;]+); (?P<source>[^)]+)\): "
                   r"(?P<definition>.+)$")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
REQUIRED = ("layer", "diff ID vs digest", "whiteout", "copy-on-write", "build context",
            ".dockerignore", "base image", "multi-stage build", "distroless", "musl / glibc",
            "JRE vs JDK", "jlink", "module (JPMS)", "jdeps", "AOT cache (JEP 483/514/515)",
            "native image", "Substrate VM", "image store", "registry", "pull size")


def entries() -> list[dict[str, str]]:
    """Each ``- **term** (Korean; source): definition`` entry, its wrapped lines joined."""
    found, current = [], None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("- **"):
            current = [line]
            found.append(current)
        elif current is not None and line.startswith("  ") and line.strip():
            current.append(line.strip())
        else:
            current = None
    return [{"line": " ".join(lines)} for lines in found]


def parsed() -> list[re.Match[str]]:
    matches = [ENTRY.match(e["line"]) for e in entries()]
    bad = [e["line"][:60] for e, m in zip(entries(), matches, strict=True) if m is None]
    assert not bad, f"entries not in the form '- **term** (Korean; source): …': {bad}"
    return [m for m in matches if m is not None]


def test_every_entry_has_a_korean_term_and_says_where_it_comes_from():
    found = parsed()
    assert len(found) >= len(REQUIRED)
    for match in found:
        assert HANGUL.search(match["korean"]), f"{match['term']}: no Korean term"
        assert match["source"] in ("write-up", "usual term"), match["term"]
        assert len(match["definition"]) > 20, f"{match['term']}: no definition"


def test_the_terms_the_labs_use_are_all_defined():
    terms = {m["term"] for m in parsed()}
    assert not set(REQUIRED) - terms


@pytest.mark.skipif(not WRITEUP.exists(), reason="the write-up is not checked out beside main")
def test_a_korean_term_credited_to_the_write_up_is_in_the_write_up():
    text = WRITEUP.read_text(encoding="utf-8")
    for match in parsed():
        if match["source"] == "write-up":
            for korean in match["korean"].split(" / "):
                assert korean.strip() in text, f"{match['term']}: {korean!r} is not the write-up's"


@pytest.mark.parametrize("lab", LINKED_LABS)
def test_a_labs_first_markdown_cell_links_to_the_glossary(lab: str):
    notebook = json.loads((ROOT / "labs" / lab / f"{lab}.ipynb").read_text(encoding="utf-8"))
    first = next(c for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert LINK in "".join(first["source"])
    assert GLOSSARY.exists()
