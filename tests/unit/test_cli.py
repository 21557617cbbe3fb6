"""The `slimlab` command line through typer's CliRunner, every command's work monkeypatched:
what each option reaches, the exit codes `make` sees, and that an error ends as one
actionable line instead of a traceback (no engine, no Maven, no notebooks)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from slimlab import cli, engine
from slimlab import grade as grading
from slimlab.engine import doctor
from slimlab.errors import LOG_LINES, BaseImageMissing, BundleError, KitError, SlimlabError
from slimlab.kit import bundle, images, maven
from slimlab.kit import prepare as preparing
from typer.testing import CliRunner


def run(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def fail_with(error: BaseException):
    def raise_it(*_args, **_kwargs):
        raise error

    return raise_it


# ---------------------------------------------------------------------------- help and parsing


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("doctor", "prepare", "student", "grade", "clean", "kit", "mirror", "bundle"):
        assert command in result.output


@pytest.mark.parametrize("group", ["kit", "mirror", "bundle"])
def test_a_group_without_a_command_shows_its_help(group):
    result = run(group)
    assert "Usage:" in result.output
    assert "Traceback" not in result.output


def test_command_help_names_its_options():
    result = run("grade", "--help")
    assert result.exit_code == 0
    for option in ("--out", "--cell-timeout", "--learner-timeout"):
        assert option in result.output


def test_an_unknown_command_is_a_usage_error():
    result = run("slim-everything")
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_a_bad_option_value_is_a_usage_error(monkeypatch):
    monkeypatch.setattr(grading, "main", fail_with(AssertionError("must not run")))
    result = run("grade", "--cell-timeout", "soon")
    assert result.exit_code == 2
    assert "cell-timeout" in result.output


def test_grade_passes_its_options_and_returns_the_grader_exit_code(monkeypatch, tmp_path):
    calls = []

    def fake_main(submissions, out, *, cell_timeout, learner_timeout):
        calls.append((submissions, out, cell_timeout, learner_timeout))
        return 3

    monkeypatch.setattr(grading, "main", fake_main)
    result = run("grade", str(tmp_path), "--out", str(tmp_path / "g"), "--cell-timeout", "5")
    assert result.exit_code == 3
    assert calls == [(tmp_path, tmp_path / "g", 5, grading.LEARNER_TIMEOUT)]


def test_grade_defaults(monkeypatch):
    calls = []
    monkeypatch.setattr(grading, "main",
                        lambda *args, **kwargs: calls.append((args, kwargs)) or 0)
    assert run("grade").exit_code == 0
    assert calls == [((Path("."), Path("build/grades")),
                      {"cell_timeout": 1800, "learner_timeout": grading.LEARNER_TIMEOUT})]


def test_kit_build_options_reach_the_builder(monkeypatch):
    built, primed = [], []
    monkeypatch.setattr(images, "build_kit", lambda **kwargs: built.append(kwargs))
    monkeypatch.setattr(maven, "prime", lambda **kwargs: primed.append(kwargs))
    result = run("kit", "build", "--force", "--only", "os", "--only", "jre", "--no-maven-repo")
    assert result.exit_code == 0, result.output
    assert built == [{"force": True, "only": ["os", "jre"]}]
    assert primed == []
    assert "kit: ready in" in result.output


def test_kit_build_primes_the_maven_repository_by_default(monkeypatch, tmp_path):
    built = []
    monkeypatch.setattr(images, "build_kit", lambda **kwargs: built.append(kwargs))
    monkeypatch.setattr(maven, "is_primed", lambda: True)
    monkeypatch.setattr(maven, "prime", lambda force: tmp_path)
    result = run("kit", "build")
    assert result.exit_code == 0, result.output
    assert built == [{"force": False, "only": None}]
    assert f"Maven repository {tmp_path} present" in result.output


def test_clean_with_kit(monkeypatch):
    asked = []
    monkeypatch.setattr(engine, "cleanup",
                        lambda include_kit: asked.append(include_kit)
                        or {"containers": 2, "images": 5})
    result = run("clean", "--kit")
    assert result.exit_code == 0
    assert asked == [True]
    assert "removed 2 container(s), 5 image(s)" in result.output


def test_bundle_save_and_load_take_a_directory(monkeypatch, tmp_path):
    monkeypatch.setattr(bundle, "save", lambda directory: f"saved {directory.name}")
    monkeypatch.setattr(bundle, "load", lambda directory: f"loaded {directory.name}")
    saved = run("bundle", "save", str(tmp_path / "b"))
    loaded = run("bundle", "load", str(tmp_path / "b"))
    assert (saved.exit_code, loaded.exit_code) == (0, 0)
    assert f"bundle written to {tmp_path / 'b'}: saved b" in saved.output
    assert "bundle loaded from" in loaded.output and "loaded b" in loaded.output
    assert run("bundle", "save").exit_code == 2  # DIRECTORY is required


def test_student_writes_the_attendee_edition(monkeypatch, tmp_path):
    from slimlab import edition

    calls = []

    def write(out, force):
        calls.append((out, force))
        return SimpleNamespace(summary=lambda: "3 notebooks written")

    monkeypatch.setattr(edition, "write", write)
    result = run("student", str(tmp_path), "--force")
    assert result.exit_code == 0
    assert calls == [(tmp_path, True)]
    assert "3 notebooks written" in result.output


def test_doctor_exits_non_zero_with_a_fix_for_each_gap(monkeypatch):
    from slimlab import session

    found = [doctor.Finding("engine", "29.0", "ok"),
             doctor.Finding("buildx", "missing", "FAIL", fix="install docker-buildx")]
    monkeypatch.setattr(doctor, "findings", lambda: found)
    monkeypatch.setattr(session, "setup", fail_with(AssertionError("must not run")))
    result = run("doctor")
    assert result.exit_code == 1
    assert "fix: install docker-buildx" in result.output


def test_doctor_healthy_then_shows_the_bases(monkeypatch):
    from slimlab import session

    shown = []
    monkeypatch.setattr(doctor, "findings", lambda: [doctor.Finding("engine", "29.0", "ok")])
    monkeypatch.setattr(session, "setup", shown.append)
    assert run("doctor").exit_code == 0
    assert shown == ["doctor"]


# ---------------------------------------------------------------------------- prepare


@pytest.mark.parametrize(("decided", "builds"), [("kit", 1), ("upstream", 0), ("nothing", 0)])
def test_prepare_builds_the_kit_only_when_prepare_decides_so(monkeypatch, decided, builds):
    built, echoed = [], []

    def decide(echo):
        echo("prepare: deciding")
        echoed.append(echo)
        return decided

    monkeypatch.setattr(preparing, "prepare", decide)
    monkeypatch.setattr(cli, "kit_build", lambda **kwargs: built.append(kwargs))
    result = run("prepare")
    assert result.exit_code == 0, result.output
    assert "prepare: deciding" in result.output
    assert built == [{"force": False, "only": None, "maven_repo": True}] * builds


def test_prepare_that_cannot_work_is_one_actionable_line(monkeypatch):
    missing = BaseImageMissing(
        "Profile upstream, 2 base image(s) missing, and SLIMLAB_PULL=0.",
        hint="Allow pulling (SLIMLAB_PULL=auto, the default) or use the kit.",
    )
    monkeypatch.setattr(preparing, "prepare", fail_with(missing))
    result = run("prepare")
    assert result.exit_code == cli.ERROR_EXIT != 0
    assert result.stderr.splitlines() == [
        "slimlab: Profile upstream, 2 base image(s) missing, and SLIMLAB_PULL=0. "
        "What to do: Allow pulling (SLIMLAB_PULL=auto, the default) or use the kit."
    ]


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "target", "name"),
    [
        (("clean",), engine, "cleanup"),  # a top-level command
        (("bundle", "load", "somewhere"), bundle, "load"),  # a sub-command
        (("kit", "build", "--no-maven-repo"), images, "build_kit"),
    ],
)
def test_a_slimlab_error_is_one_line_and_a_non_zero_exit(monkeypatch, args, target, name):
    error = BundleError("The bundle is damaged:\nimages.tar is short.",
                        hint="Copy the whole bundle folder again.")
    monkeypatch.setattr(target, name, fail_with(error))
    result = run(*args)
    assert result.exit_code == cli.ERROR_EXIT != 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "slimlab: The bundle is damaged: images.tar is short. "
        "What to do: Copy the whole bundle folder again."
    ]
    assert "Traceback" not in result.output


def test_an_error_log_follows_its_line_trimmed_and_indented(monkeypatch):
    log = "\n".join(f"maven line {i}" for i in range(40))
    error = KitError("Priming the Maven repository failed.", hint="Read the log.", log=log)
    monkeypatch.setattr(images, "build_kit", fail_with(error))
    result = run("kit", "build")
    first, *rest = result.stderr.splitlines()
    assert first == "slimlab: Priming the Maven repository failed. What to do: Read the log."
    assert rest == [f"    maven line {i}" for i in range(40 - LOG_LINES, 40)]
    assert result.exit_code == cli.ERROR_EXIT


def test_an_error_without_a_hint_is_still_one_line():
    line = cli.one_line(SlimlabError("Something  broke\n badly."))
    assert line == "slimlab: Something broke badly."


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (requests.exceptions.ReadTimeout("Read timed out. (read timeout=600)"),
         "slimlab: The Docker engine did not answer in time."),
        (requests.exceptions.ConnectionError("Connection aborted."),
         "slimlab: The connection to the Docker engine was lost."),
    ],
)
def test_a_raw_engine_timeout_or_lost_connection_is_typed(monkeypatch, raw, says):
    monkeypatch.setattr(engine, "cleanup", fail_with(raw))
    result = run("clean")
    assert result.exit_code == cli.ERROR_EXIT
    first = result.stderr.splitlines()[0]
    assert first.startswith(says) and "What to do:" in first
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_bug_keeps_its_traceback(monkeypatch):
    monkeypatch.setattr(engine, "cleanup", fail_with(KeyError("containers")))
    result = run("clean")
    assert isinstance(result.exception, KeyError)
    assert result.exit_code != 0


def test_main_is_the_entry_point_with_its_name(monkeypatch, capsys):
    monkeypatch.setattr(engine, "cleanup", fail_with(SlimlabError("No engine.", hint="Start it.")))
    monkeypatch.setattr(sys, "argv", ["slimlab", "clean"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == cli.ERROR_EXIT
    assert capsys.readouterr().err == "slimlab: No engine. What to do: Start it.\n"
