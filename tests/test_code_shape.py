"""The house's size rules, checked from the tree: no module or class over 400 lines, no function over 60.

Counted in kiosk/, kiosk_dev/, devices/ and screens/ (a function's lines include any class or function
nested in it). Mixins count as one class: a class made of two or more of the tree's classes is measured with
all of them (a 1,340-line session once met the rule only by being spread over five mixin files). A data table that must be long would be declared here by name, with the reason; there is none.
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


def mixed_classes(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """Classes with two or more bases from the tree whose lines, with those bases' (and theirs), pass 400."""
    classes: dict[str, list[ast.ClassDef]] = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.ClassDef):
                    classes.setdefault(node.name, []).append(node)

    def own(node: ast.AST) -> list[ast.ClassDef]:
        names = [ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases]  # type: ignore[attr-defined]
        return [classes[n][0] for n in names if len(classes.get(n, ())) == 1]

    def lines(node: ast.ClassDef, seen: set[int]) -> int:
        if id(node) in seen:
            return 0
        seen.add(id(node))
        return (node.end_lineno or node.lineno) - node.lineno + 1 + sum(lines(b, seen) for b in own(node))

    return [f"class {name}: {lines(node, set())} lines with its mixins"
            for name, nodes in classes.items() for node in nodes
            if len(own(node)) >= 2 and lines(node, set()) > MAX_CLASS]


def test_no_class_over_the_limit_with_its_mixins():
    assert mixed_classes() == []


def test_the_check_counts_mixins(tmp_path):
    """Negative control: two 150-line mixins and a 150-line class made of them are one 450-line class."""
    (tmp_path / "kiosk").mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(149))
    for name, text in (("a", f"class A:\n{body}"), ("b", f"class B:\n{body}"),
                       ("c", f"from kiosk.a import A\nfrom kiosk.b import B\n\n\nclass C(A, B):\n{body}")):
        (tmp_path / "kiosk" / f"{name}.py").write_text(text)
    assert mixed_classes(tmp_path, ("kiosk",)) == ["class C: 450 lines with its mixins"]
    assert oversized(tmp_path, ("kiosk",)) == []  # each class and module alone is within the rule


def test_no_module_class_or_function_over_the_limits():
    assert oversized() == []


def test_the_check_sees_a_long_function(tmp_path):
    """Negative control: a 61-line function is reported."""
    (tmp_path / "kiosk").mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(60))
    (tmp_path / "kiosk" / "m.py").write_text("def long():\n" + body)
    assert oversized(tmp_path, ("kiosk",)) == ["function kiosk/m.py:1 long: 61 lines"]
