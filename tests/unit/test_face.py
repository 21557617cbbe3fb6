"""The package face: what notebooks reach as `sl.<name>` never hides a module of that name."""

import ast
import importlib.util
import pkgutil
import types
from collections import Counter
from pathlib import Path

import slimlab

PACKAGE = Path(slimlab.__file__).parent


def test_no_face_name_shadows_a_module() -> None:
    for name in slimlab.__all__:
        if importlib.util.find_spec(f"slimlab.{name}") is not None:
            assert isinstance(getattr(slimlab, name), types.ModuleType), (
                f"sl.{name} is not the module slimlab.{name}: a maintainer cannot reach it")


def test_every_module_is_importable_by_its_dotted_name() -> None:
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="slimlab."):
        module = importlib.import_module(info.name)
        parent, _, leaf = info.name.rpartition(".")
        assert getattr(importlib.import_module(parent), leaf, module) is module, info.name


def test_one_public_function_per_name() -> None:
    """One `build`, one `run`: a reader who greps a name finds the one it means."""
    names: Counter[str] = Counter()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        names.update(node.name for node in tree.body
                     if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"))
    for name in ("build", "run", "setup"):
        assert names[name] <= 1, f"{names[name]} public functions are named {name}"
