"""One module per lab, and labs stay apart: a lab module never imports another lab module
(what two labs share belongs in slimlab.views or the rest of the package)."""

from __future__ import annotations

import ast
from pathlib import Path

import slimlab
import slimlab.labs

LABS = Path(slimlab.labs.__file__).parent
LAB_MODULES = sorted(p.stem for p in LABS.glob("*.py") if p.stem != "__init__")
LAB_NOTEBOOKS = sorted((Path(slimlab.__file__).parents[2] / "labs").glob("*/*.ipynb"))


def other_labs_imported(source: str, own: str, labs: list[str]) -> list[str]:
    """The lab modules other than ``own`` that ``source`` imports, however it spells it:
    ``slimlab.labs.x``, ``from slimlab.labs import x``, ``from . import x``, ``from .x``,
    or the face's ``from slimlab import x``."""
    others = set(labs) - {own}
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names
                      if alias.name.split(".")[:2] == ["slimlab", "labs"]
                      and alias.name.split(".")[2:3] != [own]]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1 or module == "slimlab.labs":  # this package: labs/
                target = module.split(".")[0] if node.level == 1 else ""
                names = [target] if target else [a.name for a in node.names]
                found += [n for n in names if n in others]
            elif module.startswith("slimlab.labs."):
                if module.split(".")[2] in others:
                    found.append(module)
            elif module == "slimlab":
                found += [a.name for a in node.names if a.name in others or a.name == "labs"]
    return found


def test_the_labs_package_holds_one_module_per_lab() -> None:
    assert LAB_MODULES == ["jlink", "jre", "layers", "multistage", "native"]
    assert len(LAB_NOTEBOOKS) == len(LAB_MODULES)
    for name in LAB_MODULES:
        assert getattr(slimlab, name) is getattr(slimlab.labs, name), f"sl.{name}"


def test_no_lab_module_imports_another() -> None:
    offenders = {name: other_labs_imported((LABS / f"{name}.py").read_text(), name, LAB_MODULES)
                 for name in LAB_MODULES}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_rule_sees_every_spelling() -> None:
    """The check itself can fail: each way of reaching another lab is caught, own and
    shared imports are not."""
    labs = ["jlink", "native", "layers"]
    caught = [
        "import slimlab.labs.native",
        "from slimlab.labs import native",
        "from slimlab.labs.native import preflight",
        "from . import native",
        "from .native import preflight",
        "from slimlab import native",
        "from slimlab import labs",
        "def f():\n    from slimlab.labs.layers import summary\n",
    ]
    for source in caught:
        assert other_labs_imported(source, "jlink", labs), source
    allowed = [
        "from slimlab import views, workbook",
        "from slimlab.views import Table",
        "from .. import views",
        "from slimlab.labs.jlink import note",
        "import slimlab.views",
    ]
    for source in allowed:
        assert not other_labs_imported(source, "jlink", labs), source
