"""One door to Docker: only slimlab.engine imports the SDK (ruff's banned-api checks that)
or runs the docker CLI, and nothing reaches into the SDK's private parts (this test)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "helpers" / "slimlab"
ENGINE = PACKAGE / "engine"
RUNNERS = {"run", "Popen", "check_output", "check_call", "call"}


def _modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if ENGINE not in p.parents]


def _runs_docker(node: ast.Call) -> bool:
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
        node.func, "id", "")
    if name not in RUNNERS or not node.args:
        return False
    first = node.args[0]
    if isinstance(first, ast.List | ast.Tuple) and first.elts:
        first = first.elts[0]
    return isinstance(first, ast.Constant) and isinstance(first.value, str) and (
        first.value == "docker" or first.value.startswith("docker "))


def test_only_the_engine_runs_the_docker_cli():
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _runs_docker(node):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_nothing_calls_private_sdk_methods():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                    and isinstance(node.value, ast.Attribute) and node.value.attr == "api"):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .api.{node.attr}")
    assert offenders == []


def test_the_rule_sees_a_cli_call():
    """The check itself can fail: a module that runs `docker save` is caught."""
    tree = ast.parse('import subprocess\nsubprocess.run(["docker", "save", "x"])\n')
    assert any(isinstance(n, ast.Call) and _runs_docker(n) for n in ast.walk(tree))
