"""The write-up's seven-item checklist, tied to the checkpoints that prove it: read from a
results file, one row per (item, checkpoint), passed / failed / not run, never invented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from slimlab import config, report
from slimlab.report import CHECKLIST

ROOT = Path(__file__).resolve().parents[2]
WRITEUP = ROOT.parent / "shared" / "writeup" / "000_fefc88074a28910a.txt"


def _line(lab: str, name: str, measured, passed: bool, unit: str = "",
          learner: str = "") -> str:
    return json.dumps({"kind": "checkpoint", "lab": lab, "name": name, "measured": measured,
                       "unit": unit, "passed": passed, "expected": "≤ 95 % of jre",
                       "learner": learner, "points": 1})


@pytest.fixture
def results_file(tmp_path: Path) -> Path:
    path = tmp_path / "results.jsonl"
    lines = [
        _line("03-jre-alpine", "bookshelf:alpine is smaller than bookshelf:jre", 99.0, False,
              "% of jre"),
        _line("03-jre-alpine", "bookshelf:alpine is smaller than bookshelf:jre", 83.02, True,
              "% of jre"),  # a re-run: the latest line wins
        _line("01-layers", "same-RUN cleanup image is smaller", 0.97, False),
        _line("01-layers", "same-RUN cleanup image is smaller", 0.2, True, learner="someone"),
        json.dumps({"kind": "measurement", "lab": "02-multistage", "variant": "multi",
                    "metrics": {"size_bytes": 1}}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_seven_items_are_the_write_ups():
    assert len(CHECKLIST) == 7
    if WRITEUP.exists():
        text = WRITEUP.read_text(encoding="utf-8")
        listed = re.findall(r"^□ (.+)$", text, re.MULTILINE)
        assert [item.korean for item in CHECKLIST] == listed


def test_every_proof_is_a_checkpoint_a_notebook_records():
    recorded = set()
    for path in sorted((ROOT / "labs").glob("*/*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        lab = re.search(r'^LAB = "([^"]+)"', code, re.MULTILINE)
        assert lab, path
        # sl.check, or a lab's own that records through it (sl.native.check skips a figure
        # this machine could not measure)
        recorded |= {(lab[1], n)
                     for n in re.findall(r'sl\.(?:\w+\.)?check\(LAB,\s*"([^"]+)"', code)}
    missing = [p for item in CHECKLIST for p in item.proofs if p not in recorded]
    assert not missing, f"renamed or removed checkpoints: {missing}"


def test_every_item_is_proved_by_a_checkpoint():
    assert all(item.proofs for item in CHECKLIST)


def test_the_table_reads_the_results_file(results_file: Path, monkeypatch):
    monkeypatch.setattr(config, "learner", lambda: "")
    table = report.checklist(path=results_file)
    assert list(table.columns) == ["measured", "expected", "result"]
    assert table.index.names == ["write-up checklist item", "proved by (lab · checkpoint)"]
    items = list(dict.fromkeys(table.index.get_level_values(0)))
    assert len(items) == 7 and items[0].startswith("1. Base image")
    rows = {proof: row for (_, proof), row in table.iterrows()}
    alpine = rows["03-jre-alpine · bookshelf:alpine is smaller than bookshelf:jre"]
    assert (alpine["measured"], alpine["result"]) == ("83.02 % of jre", "✔ passed")
    cleanup = rows["01-layers · same-RUN cleanup image is smaller"]  # this learner's: failed
    assert (cleanup["measured"], cleanup["result"]) == ("0.97", "✘ failed")
    native = rows["05-native · no JVM, jar or build tools inside bookshelf:native"]
    assert native["result"] == "not run yet (run lab 05)" and native["measured"] == ""


def test_another_learners_results_are_theirs(results_file: Path):
    table = report.checklist(path=results_file, learner="someone")
    results = {proof: row["result"] for (_, proof), row in table.iterrows()}
    assert results["01-layers · same-RUN cleanup image is smaller"] == "✔ passed"
    assert results["03-jre-alpine · bookshelf:alpine is smaller than bookshelf:jre"] \
        .startswith("not run yet")


def test_no_results_file_means_nothing_run(tmp_path: Path):
    table = report.checklist(path=tmp_path / "absent.jsonl", learner="")
    assert table["result"].str.startswith("not run yet").all()


NATIVE_PROOF = "05-native · no JVM, jar or build tools inside bookshelf:native"
NO_BUILDER = "no GraalVM builder image here (no registry to pull it from)"


def _lab_05_without_a_builder(path: Path) -> Path:
    """What lab 05 records where no native image can be built: native's reason (its
    build cell), no native checkpoint (each is skipped), Spring AOT's checkpoints."""
    lines = [
        json.dumps({"kind": "measurement", "lab": "05-native", "variant": "native",
                    "metrics": {"tag": "bookshelf:native", "not_measured_reason": NO_BUILDER},
                    "learner": ""}),
        _line("05-native", "Spring AOT generated Java sources", 152, True, "files"),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_native_checkpoint_skipped_for_want_of_a_builder_says_so(tmp_path: Path):
    table = report.checklist(path=_lab_05_without_a_builder(tmp_path / "r.jsonl"), learner="")
    results = {proof: row["result"] for (_, proof), row in table.iterrows()}
    assert results[NATIVE_PROOF] == f"skipped here: {NO_BUILDER} (see lab 05)"
    assert results["01-layers · same-RUN cleanup image is smaller"] == \
        "not run yet (run lab 01)"


def test_a_lab_that_has_run_is_never_told_to_run(tmp_path: Path):
    path = tmp_path / "r.jsonl"
    path.write_text(_line("05-native", "Spring AOT generated Java sources", 152, True) + "\n",
                    encoding="utf-8")
    table = report.checklist(path=path, learner="")
    results = {proof: row["result"] for (_, proof), row in table.iterrows()}
    assert "run lab 05" not in results[NATIVE_PROOF]
    assert results[NATIVE_PROOF].startswith("not recorded (lab 05 has run")


def test_a_native_image_built_since_clears_the_skip(tmp_path: Path):
    path = _lab_05_without_a_builder(tmp_path / "r.jsonl")
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"kind": "measurement", "lab": "05-native", "variant": "native",
                              "metrics": {"not_measured_reason": ""}, "learner": ""}) + "\n")
    table = report.checklist(path=path, learner="")
    results = {proof: row["result"] for (_, proof), row in table.iterrows()}
    assert not results[NATIVE_PROOF].startswith("skipped")
