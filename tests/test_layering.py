"""The layers stay apart: core and devices import without Kivy; screens never do I/O themselves."""
import ast
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# No module of kiosk/ or devices/ may import Kivy — not even kiosk.app, which imports Kivy only inside the
# functions that start the UI. Developer tools that drive the UI live outside the core, in kiosk_dev/.
FORBIDDEN_IN_SCREENS = {"serial", "requests", "sqlite3", "urllib3", "socket", "devices", "kiosk.backend",
                        "kiosk.runtime"}


def _modules(package: str) -> list[str]:
    names = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        names.append(info.name)
    return sorted(names)


def test_core_and_devices_import_without_kivy():
    modules = [m for m in _modules("kiosk") + _modules("devices") if not m.endswith("__main__")]
    assert len(modules) > 5, modules  # the walk really found the packages
    code = (
        "import importlib, json, sys\n"
        f"mods = {modules!r}\n"
        "bad = {}\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "    if any(k == 'kivy' or k.startswith('kivy.') for k in sys.modules):\n"
        "        bad[m] = True\n"
        "        break\n"
        "print(json.dumps({'bad': bad, 'n': len(mods)}))\n"
    )
    env = dict(os.environ, KIVY_NO_ARGS="1")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["bad"] == {}, f"Kivy was imported by {result['bad']}"
    assert result["n"] == len(modules)


def test_importing_does_nothing():
    """No threads started and no files opened by importing the core and device packages."""
    code = (
        "import importlib, threading, os\n"
        f"mods = {[m for m in _modules('kiosk') + _modules('devices') if not m.endswith('__main__')]!r}\n"
        "before = threading.active_count(); fds = len(os.listdir('/proc/self/fd'))\n"
        "for m in mods: importlib.import_module(m)\n"
        "print(threading.active_count() - before, len(os.listdir('/proc/self/fd')) - fds)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    threads, fds = map(int, out.stdout.split()[-2:])
    assert threads == 0, "importing started threads"
    assert fds <= 0, "importing left files or ports open"


def test_kiosk_start_imports_no_pydantic_and_no_window_before_the_config_verdict():
    """What ``kiosk run`` loads while the forked child checks the config: neither pydantic nor PyYAML (the
    child's job; the config types are plain dataclasses, the UI catalogs come with the verdict) nor the window (its size comes from the validated config) —
    and it must still be one thread, so forking the config check stays safe."""
    code = (
        "import sys, threading\n"
        "from kiosk import app\n"
        "app.kivy_environment(headless=True)\n"
        "app._import_ahead()\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core', 'annotated_types', 'yaml'))\n"
        "print(heavy, 'kivy.core.window' in sys.modules, threading.active_count())\n"
    )
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "[] False 1"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_core_module_imports_kivy_even_inside_a_function():
    """The import-time check above cannot see an import inside a function: scan every core and device module's
    source for one. Only kiosk/app.py starts the UI (its Kivy imports live inside the functions that do)."""
    files = sorted((ROOT / "kiosk").rglob("*.py")) + sorted((ROOT / "devices").rglob("*.py"))
    offenders = [str(p.relative_to(ROOT)) for p in files
                 if p != ROOT / "kiosk" / "app.py" and any(n == "kivy" or n.startswith("kivy.") for n in _imports(p))]
    assert offenders == []


def test_screens_never_touch_serial_http_or_sqlite():
    screen_files = sorted((ROOT / "screens").glob("*.py"))
    assert screen_files, "no screens found"
    for path in screen_files:
        for name in _imports(path):
            for forbidden in FORBIDDEN_IN_SCREENS:
                assert not (name == forbidden or name.startswith(forbidden + ".")), \
                    f"{path.name} imports {name}"


def test_screens_cannot_reach_the_runtime():
    """Screens get the session controller only: the app holds no runtime and no screen or kv rule names it."""
    from screens.shell import KioskApp

    assert "runtime" not in KioskApp.__init__.__code__.co_varnames
    for path in sorted((ROOT / "screens").glob("*.py")) + sorted((ROOT / "screens").glob("*.kv")):
        assert "runtime" not in path.read_text(encoding="utf-8"), f"{path.name} names the runtime"


@pytest.mark.parametrize("source, expect", [
    ("import serial\n", {"serial"}), ("from requests.adapters import HTTPAdapter\n", {"requests.adapters"}),
])
def test_import_scanner_sees_imports(tmp_path, source, expect):
    """Negative control: the scanner really finds imports (so the screens check can fail)."""
    f = tmp_path / "s.py"
    f.write_text(source)
    assert _imports(f) == expect
