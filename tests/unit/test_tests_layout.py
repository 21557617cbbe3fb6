"""`make unit` runs every test that needs no engine: a test under tests/engine must ask for
something that needs one (the engine, a built image, the kit…), or it belongs in unit."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE_TESTS = Path(__file__).resolve().parents[1] / "engine"
PLAIN = {"tmp_path", "tmp_path_factory", "monkeypatch", "capsys", "capfd", "caplog",
         "request", "fixtures_dir"}


def test_engine_tests_need_the_engine():
    pure = []
    for path in sorted(ENGINE_TESTS.glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                wanted = {a.arg for a in node.args.args}
                if not wanted - PLAIN:
                    pure.append(f"{path.name}::{node.name}")
    assert pure == [], "these need no engine: move them to tests/unit"
