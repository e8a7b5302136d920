"""The house's size rules, checked from the tree: no module or class over 400 lines, no function over 60.

Counted in kiosk/, kiosk_dev/, devices/ and screens/ (a function's lines include any class or function
nested in it). A data table that must be long would be declared here by name, with the reason; there is none.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kiosk", "kiosk_dev", "devices", "screens")
MAX_MODULE, MAX_CLASS, MAX_FUNCTION = 400, 400, 60


def oversized(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> list[str]:
    found = []
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            where = path.relative_to(root)
            if len(source.splitlines()) > MAX_MODULE:
                found.append(f"module {where}: {len(source.splitlines())} lines")
            for node in ast.walk(ast.parse(source, str(path))):
                length = (node.end_lineno or node.lineno) - node.lineno + 1 if hasattr(node, "lineno") else 0
                if isinstance(node, ast.ClassDef) and length > MAX_CLASS:
                    found.append(f"class {where}:{node.lineno} {node.name}: {length} lines")
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and length > MAX_FUNCTION:
                    found.append(f"function {where}:{node.lineno} {node.name}: {length} lines")
    return found


def test_no_module_class_or_function_over_the_limits():
    assert oversized() == []


def test_the_check_sees_a_long_function(tmp_path):
    """Negative control: a 61-line function is reported."""
    (tmp_path / "kiosk").mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(60))
    (tmp_path / "kiosk" / "m.py").write_text("def long():\n" + body)
    assert oversized(tmp_path, ("kiosk",)) == ["function kiosk/m.py:1 long: 61 lines"]
