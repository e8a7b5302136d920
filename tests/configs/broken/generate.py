"""Regenerate the broken config dirs from the shipped ``config/``: each case is a full config dir differing
from a valid one by its named fault(s).

Run ``.venv/bin/python tests/configs/broken/generate.py`` after changing config/*.yaml, then re-check the
line numbers asserted in tests/unit/test_config_broken.py (they are written by hand on purpose).
The dev CA and secret are not copied: each case uses ``ca_bundle: null`` and its own dummy secret file.
"""
from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = HERE.parents[2] / "config"
T, S = "terminal.yaml", "services.yaml"

#: case -> list of (file, old text, new text); ``old`` must occur exactly once in the base file
CASES: dict[str, list[tuple[str, str, str]]] = {
    "unknown-key": [(T, "  countdown_s: 15\n", "  countdown_s: 15\n  idle_timout_s: 90\n")],
    "bad-type": [(T, "  idle_timeout_s: 60\n", '  idle_timeout_s: "60"\n')],
    "missing-key": [(T, "  pin_hash: pbkdf2", "  # pin_hash: pbkdf2")],
    "bad-port": [(T, "port: socket://127.0.0.1:17102", "port: socketx://127.0.0.1:17102")],
    "duplicate-service-id": [(S, "  - id: appointment\n", "  - id: hotline-12345\n")],
    "device-disabled": [(T, "  printer:\n    enabled: true\n", "  printer:\n    enabled: false\n")],
    "device-not-configured": [(T, "  # 热敏小票打印机（ESC/POS）\n  printer:\n    enabled: true\n"
                                  "    port: socket://127.0.0.1:17102\n    baudrate: 115200\n"
                                  "    # 打印机型号配置：generic-80mm 为通用 80 毫米纸\n    profile: generic-80mm\n", "")],
    "bad-opening-hours": [
        (T, "  always_open: true\n", "  always_open: false\n"),
        (T, '    mon: ["00:00-24:00"]\n', '    mon: ["09:00-17:00", "16:30-18:00"]\n'),
        (T, '    tue: ["00:00-24:00"]\n', '    tue: ["9:00-17:00"]\n'),
        (T, '    wed: ["00:00-24:00"]\n', '    wed: ["18:00-09:00"]\n'),
    ],
    "yaml-syntax": [(S, "    title: {zh: 预约办事, en: Book an appointment}\n",
                     "    title: {zh: 预约办事, en: Book an appointment\n")],
    "several-faults": [
        (T, "  fullscreen: true\n", "  fullscreen: 1\n"),
        (T, "  level: INFO\n", "  level: VERBOSE\n"),
        (T, "port: socket://127.0.0.1:17101", "port: /dev/"),
        (T, "  base_url: https://127.0.0.1:17100\n", "  base_url: http://127.0.0.1:17100\n"),
        (S, "    category: citizen\n    icon: calendar\n", "    category: citizens\n    icon: calendar\n"),
        (S, "        label: {zh: 预约日期, en: Date}\n        kind: date\n",
         "        label: {zh: 预约日期, en: Date}\n        kind: datetime\n"),
        (S, "    params: {submission_type: delivery}\n", "    params: {submission_type: parcel}\n"),
        (S, "    summary: {zh: 领取人工窗口排队号, en: Take a number for the staffed counters}\n", ""),
    ],
}


def base_files() -> dict[str, str]:
    terminal = (CONFIG / T).read_text(encoding="utf-8")
    terminal = terminal.replace("  ca_bundle: dev-tls/ca.pem\n", "  ca_bundle: null\n")
    terminal = terminal.replace("  secret_file: dev-terminal.secret\n", "  secret_file: test-terminal.secret\n")
    return {T: terminal, S: (CONFIG / S).read_text(encoding="utf-8")}


def write_case(target: Path, patches: list[tuple[str, str, str]]) -> None:
    files = base_files()
    for name, old, new in patches:
        assert files[name].count(old) == 1, (target.name, name, old)
        files[name] = files[name].replace(old, new)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    (target / "test-terminal.secret").write_text("test-only-secret-not-a-real-key\n", encoding="utf-8")


def main() -> None:
    for case, patches in CASES.items():
        target = HERE / case
        if target.exists():
            shutil.rmtree(target)
        write_case(target, patches)
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
