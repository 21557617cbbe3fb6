"""Checkpoints: comparison, recording, loading, display and strict mode (no engine needed)."""

from __future__ import annotations

import json
import re
import threading

import pytest
from slimlab import checkpoints, progress
from slimlab.checkpoints import (
    CheckpointResult,
    checkpoint,
    load_measurements,
    load_results,
    record_measurement,
    results_table,
    score,
)
from slimlab.errors import CheckpointFailed, ConfigError


@pytest.fixture
def results(tmp_path, monkeypatch):
    """A fresh results file in a directory that does not exist yet; lenient, profile kit."""
    path = tmp_path / "nested" / "dir" / "results.jsonl"
    monkeypatch.setenv("SLIMLAB_RESULTS", str(path))
    monkeypatch.setenv("SLIMLAB_PROFILE", "kit")
    monkeypatch.setenv("SLIMLAB_STRICT", "0")
    monkeypatch.delenv("SLIMLAB_LEARNER", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress, "in_notebook", lambda: False)
    return path


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# ---------------------------------------------------------------------------- comparators


@pytest.mark.parametrize(
    ("measured", "kwargs", "passed"),
    [
        (10, {"at_most": 10}, True),  # the boundary is inclusive
        (10.0001, {"at_most": 10}, False),
        (-1, {"at_most": 0}, True),
        (5, {"at_least": 5}, True),
        (4.999, {"at_least": 5}, False),
        (5, {"between": (5, 20)}, True),
        (20, {"between": (5, 20)}, True),
        (4.99, {"between": (5, 20)}, False),
        (20.01, {"between": (5, 20)}, False),
        (0.1 + 0.2, {"equals": 0.3}, True),  # numbers compare with a tolerance
        (0.31, {"equals": 0.3}, False),
        (200, {"equals": 200}, True),
        ("nonroot", {"equals": "nonroot"}, True),
        ("root", {"equals": "nonroot"}, False),
        (False, {"expect": False}, True),
        (True, {"expect": False}, False),
        (True, {"expect": True}, True),
        (["/usr/bin/passwd"], {"expect": False}, False),  # something found counts as True
        ([], {"expect": False}, True),
        (float("nan"), {"at_most": 10}, False),
        (float("nan"), {"at_least": 10}, False),
    ],
)
def test_comparators(results, measured, kwargs, passed):
    assert checkpoint("lab01", "claim", measured, **kwargs).passed is passed


@pytest.mark.parametrize(
    "kwargs",
    [{"at_most": 1}, {"at_least": 1}, {"between": (0, 1)}, {"equals": 1}, {"expect": True}],
)
def test_nothing_measured_fails_every_comparator(results, kwargs):
    result = checkpoint("lab01", "claim", None, hint="run the build first", **kwargs)
    assert not result.passed
    assert "nothing measured" in result.summary()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"at_most": 1, "at_least": 0},
        {"equals": 1, "expect": True},
        {"between": (5,)},
        {"between": 5},
        {"between": (20, 5)},
        {"between": ("a", "b")},
        {"at_most": "ten"},
        {"at_least": True},
        {"expect": "yes"},
    ],
)
def test_bad_comparators_are_config_errors(results, kwargs):
    with pytest.raises(ConfigError) as caught:
        checkpoint("lab01", "claim", 3, **kwargs)
    assert caught.value.hint
    assert not results.exists()  # nothing recorded for a mistake in the notebook


def test_numeric_comparator_refuses_text(results):
    with pytest.raises(ConfigError, match="compares numbers"):
        checkpoint("lab01", "claim", "3.1", at_most=10)


def test_zero_bound_is_a_comparator_not_missing(results):
    assert checkpoint("lab01", "no setuid files", 0, equals=0).passed
    assert not checkpoint("lab01", "no wasted bytes", 1, at_most=0).passed


def test_numpy_scalars_become_plain_numbers(results):
    np = pytest.importorskip("numpy")
    result = checkpoint("lab01", "claim", np.float64(3.5), at_most=np.int64(4))
    assert result.passed
    assert type(result.measured) is float
    assert lines(results)[0]["measured"] == 3.5


@pytest.mark.parametrize(
    ("kwargs", "unit", "expected"),
    [
        ({"at_most": 10}, "%", "≤ 10 %"),
        ({"at_least": 0.5}, "", "≥ 0.5"),
        ({"between": (5, 20)}, "s", "between 5 and 20 s"),
        ({"equals": 200}, "", "= 200"),
        ({"expect": False}, "", "no"),
    ],
)
def test_expected_text_is_generated(results, kwargs, unit, expected):
    assert checkpoint("lab01", "claim", 1, unit=unit, **kwargs).expected == expected


def test_expected_text_override(results):
    result = checkpoint(
        "lab02", "layered push", 0.03, at_most=0.10, expected_text="≤ 0.10 × single-jar"
    )
    assert result.expected == "≤ 0.10 × single-jar"


# ---------------------------------------------------------------------------- summary / html


def test_summary_pass_and_fail():
    ok = CheckpointResult("lab02", "layered push ≤ 10 % of single jar", 1, "≤ 10 %", 3.1, "%", True)
    assert ok.summary() == "✔ lab02 · layered push ≤ 10 % of single jar: 3.1 % (1 pt)"
    bad = CheckpointResult(
        "lab02", "layered push", 2, "≤ 10 %", 31.0, "%", False, hint="Copy libs first."
    )
    assert bad.summary() == (
        "✘ lab02 · layered push: 31 % (expected ≤ 10 %; 0 of 2 pts) — Copy libs first."
    )
    silent = CheckpointResult("lab02", "x", 0.5, "no", True, "", False)
    assert silent.summary() == "✘ lab02 · x: yes (expected no; 0 of 0.5 pt)"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.14159, "3.14"),
        (0.0312, "0.0312"),
        (127.4, "127"),
        (1234567, "1,234,567"),
        (5.0, "5"),
        (False, "no"),
        (None, "nothing measured"),
        ([], "none"),
    ],
)
def test_format_value(value, text):
    assert checkpoints.format_value(value) == text


def test_repr_html_colours_and_escapes():
    ok = CheckpointResult("lab01", "<b>size</b>", 1, "≤ 1", 1, "", True)
    bad = CheckpointResult("lab01", "size", 1, "≤ 1", 2, "", False, hint="use <alpine>")
    assert checkpoints.PASS_COLOUR in ok._repr_html_()
    assert "&lt;b&gt;size&lt;/b&gt;" in ok._repr_html_()
    assert "What to do" not in ok._repr_html_()
    assert checkpoints.FAIL_COLOUR in bad._repr_html_()
    assert "use &lt;alpine&gt;" in bad._repr_html_()


def test_dict_round_trip_and_unknown_keys():
    result = CheckpointResult("lab01", "n", 2.0, "≤ 1", [1, 2], "MB", True, "h", "t", "kit", "ada")
    data = result.to_dict()
    assert data["kind"] == "checkpoint"
    assert CheckpointResult.from_dict(json.loads(json.dumps(data))) == result
    assert CheckpointResult.from_dict({**data, "added_later": 1}) == result
    with pytest.raises(ValueError, match="lab"):
        CheckpointResult.from_dict({"name": "n"})


# ---------------------------------------------------------------------------- display


def test_prints_summary_outside_a_notebook(results, capsys):
    checkpoint("lab01", "claim", 1, at_most=2)
    assert capsys.readouterr().out.strip() == "✔ lab01 · claim: 1 (1 pt)"


def test_displays_html_in_a_notebook(results, monkeypatch, capsys):
    import IPython.display

    shown = []
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    result = checkpoint("lab01", "claim", 1, at_most=2)
    assert shown == [result]
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------------------- strict mode


def test_strict_mode_raises_with_the_hint_and_still_records(results, monkeypatch):
    monkeypatch.setenv("SLIMLAB_STRICT", "1")
    with pytest.raises(CheckpointFailed) as caught:
        checkpoint("lab03", "no javac", True, expect=False, hint="Use the JRE base image.")
    assert caught.value.hint == "Use the JRE base image."
    assert "What to do: Use the JRE base image." in str(caught.value)
    assert "no javac" in caught.value.message
    assert lines(results)[0]["passed"] is False


def test_strict_mode_passes_quietly(results, monkeypatch):
    monkeypatch.setenv("SLIMLAB_STRICT", "1")
    assert checkpoint("lab03", "small", 1, at_most=2).passed


def test_ci_means_strict(results, monkeypatch):
    monkeypatch.delenv("SLIMLAB_STRICT")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(CheckpointFailed):
        checkpoint("lab03", "small", 3, at_most=2)


def test_lenient_mode_returns_the_failure(results):
    assert not checkpoint("lab03", "small", 3, at_most=2).passed


# ---------------------------------------------------------------------------- recording


def test_record_line_fields(results, monkeypatch):
    monkeypatch.setenv("SLIMLAB_LEARNER", "ada")
    checkpoint("lab02", "push", 3.1, at_most=10, unit="%", points=2, hint="h")
    checkpoint("lab02", "push upstream", 3.1, at_most=10, profile="upstream")
    first, second = lines(results)
    assert first["kind"] == "checkpoint"
    assert first["lab"] == "lab02"
    assert first["measured"] == 3.1
    assert first["unit"] == "%"
    assert first["points"] == 2.0
    assert first["learner"] == "ada"
    assert first["profile"] == "kit"  # from config when not given
    assert second["profile"] == "upstream"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["when"])


def test_results_round_trip(results):
    made = [
        checkpoint("lab01", "a", 1, at_most=2, unit="s"),
        checkpoint("lab01", "b", False, expect=True, hint="fix b"),
    ]
    assert load_results() == made
    assert load_results(results) == made


def test_latest_line_wins_in_first_seen_order(results, monkeypatch):
    checkpoint("lab01", "a", 3, at_most=2)
    checkpoint("lab01", "b", 1, at_most=2)
    checkpoint("lab01", "a", 1, at_most=2)  # re-run: now passes
    monkeypatch.setenv("SLIMLAB_LEARNER", "bo")
    checkpoint("lab01", "a", 5, at_most=2)  # another learner's run stays apart
    loaded = load_results()
    assert [(r.learner, r.name, r.passed) for r in loaded] == [
        ("", "a", True),
        ("", "b", True),
        ("bo", "a", False),
    ]


def test_missing_file_is_empty(results):
    assert load_results() == []
    assert load_measurements() == {}
    assert score([]) == (0.0, 0.0)


def test_half_written_line_is_skipped_and_the_next_write_survives(results):
    checkpoint("lab01", "a", 1, at_most=2)
    with open(results, "a", encoding="utf-8") as handle:
        handle.write('{"kind": "checkpoint", "lab": "lab01", "na')  # a crash mid-write
    checkpoint("lab01", "b", 1, at_most=2)
    with pytest.warns(UserWarning, match="damaged line"):
        loaded = load_results()
    assert [r.name for r in loaded] == ["a", "b"]


def test_non_object_and_incomplete_lines_are_skipped(results):
    results.parent.mkdir(parents=True)
    results.write_text('[1, 2]\n\n{"kind": "checkpoint", "name": "no lab"}\n', encoding="utf-8")
    with pytest.warns(UserWarning):
        assert load_results() == []


def test_concurrent_writers_do_not_interleave(results):
    def write(worker):
        for i in range(50):
            checkpoints._append(
                {"kind": "checkpoint", "lab": "x", "name": f"{worker}-{i}", "pad": "x" * 5000}
            )

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(lines(results)) == 400  # every line parses


# ---------------------------------------------------------------------------- measurements


def test_measurements_merge_per_variant(results):
    record_measurement("lab03", "jre", {"size_bytes": 300, "pull_bytes": 120, "base_source": "kit"})
    record_measurement("lab05", "jre", {"ready_s": 4.2, "memory_mib": 180})
    record_measurement("lab03", "jre", {"size_bytes": 290, "ready_s": None})  # rebuilt smaller
    record_measurement("lab04", "alpine", {"size_bytes": 200})
    checkpoint("lab03", "noise", 1, at_most=2)  # checkpoint lines are not measurements
    merged = load_measurements()
    assert list(merged) == ["jre", "alpine"]
    assert merged["jre"] == {
        "variant": "jre",
        "lab": "lab03",
        "size_bytes": 290,
        "pull_bytes": 120,
        "base_source": "kit",
        "ready_s": 4.2,  # None did not erase the earlier figure
        "memory_mib": 180,
    }


def test_measurement_record_line(results, monkeypatch):
    monkeypatch.setenv("SLIMLAB_LEARNER", "ada")
    record = record_measurement("lab03", "jre", {"size_bytes": 1}, profile="upstream")
    assert lines(results) == [record]
    assert record["kind"] == "measurement"
    assert record["metrics"] == {"size_bytes": 1}
    assert record["profile"] == "upstream"
    assert record["learner"] == "ada"


def test_not_measured_reason_can_be_cleared(results):
    record_measurement("lab06", "native", {"not_measured_reason": "no GraalVM"})
    record_measurement("lab06", "native", {"size_bytes": 137, "not_measured_reason": ""})
    assert load_measurements()["native"]["not_measured_reason"] == ""


def test_measurements_of_one_learner(results, monkeypatch):
    record_measurement("lab03", "jre", {"size_bytes": 1})
    monkeypatch.setenv("SLIMLAB_LEARNER", "bo")
    record_measurement("lab03", "jre", {"size_bytes": 2})
    assert load_measurements()["jre"]["size_bytes"] == 2
    assert load_measurements(learner="")["jre"]["size_bytes"] == 1


def test_damaged_measurement_lines_are_skipped(results):
    record_measurement("lab03", "jre", {"size_bytes": 1})
    with open(results, "a", encoding="utf-8") as handle:
        handle.write('{"kind": "measurement", "variant": "jre", "metrics": [1]}\n{"kind": "meas')
    with pytest.warns(UserWarning):
        assert load_measurements() == {"jre": {"variant": "jre", "lab": "lab03", "size_bytes": 1}}


# ---------------------------------------------------------------------------- score / table


def test_score_and_table(results):
    made = [
        checkpoint("lab01", "a", 1, at_most=2, points=2, unit="s"),
        checkpoint("lab01", "b", 3, at_most=2, points=1.5, hint="make it smaller"),
    ]
    assert score(made) == (2.0, 3.5)
    table = results_table(made)
    assert list(table.columns) == list(checkpoints.RESULT_COLUMNS)
    assert table["result"].tolist() == ["✔", "✘"]
    assert table["points"].tolist() == [2.0, 0.0]
    assert table["of"].tolist() == [2.0, 1.5]
    assert table["hint"].tolist() == ["", "make it smaller"]
    assert table["measured"].tolist() == ["1 s", "3"]
    assert results_table([]).empty
