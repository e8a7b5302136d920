"""Staff configuration: the shipped default loads, paths resolve, every fault is reported with file/line/key,
opening hours, PIN hashing, port URLs, form-field validation, and fuzzed YAML never crashes the loader."""
from __future__ import annotations

import dataclasses
import pickle
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kiosk.config.base import hash_pin, verify_pin
from kiosk.config.hours import OpeningHours
from kiosk.config.issues import ConfigError, ConfigIssue
from kiosk.config.loader import DEFAULT_CONFIG_DIR, KioskConfig, check_config, default_config_dir, load_config
from kiosk.config.services import FieldDef, id_check_char, id_number_valid
from kiosk.config.terminal import _port_problem
from kiosk.config.yaml_lines import parse_yaml_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    """A valid config dir: the shipped YAML with a dummy secret and no private CA."""
    d = tmp_path / "config"
    d.mkdir()
    for name in ("terminal.yaml", "services.yaml"):
        shutil.copy(ROOT / "config" / name, d / name)
    patch(d, "terminal.yaml", "  ca_bundle: dev-tls/ca.pem\n", "  ca_bundle: null\n")
    (d / "dev-terminal.secret").write_text("unit-test-secret\n")
    return d


def patch(d: Path, name: str, old: str, new: str) -> None:
    text = (d / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (d / name).write_text(text.replace(old, new), encoding="utf-8")


def line_no(d: Path, name: str, fragment: str) -> int:
    """1-based line of the only line containing ``fragment`` (found by text, not by the loader)."""
    hits = [i for i, line in enumerate((d / name).read_text(encoding="utf-8").splitlines(), 1) if fragment in line]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


def only_issue(d: Path) -> ConfigIssue:
    cfg, issues = check_config(d)
    assert cfg is None and len(issues) == 1, issues
    return issues[0]


# --- the shipped default ------------------------------------------------------------------------------
def test_shipped_config_loads_with_contract_fields() -> None:
    cfg = load_config(ROOT / "config")
    assert isinstance(cfg, KioskConfig)
    assert cfg.terminal.id == "SH-JA-NJXL-01"
    assert (cfg.display.width, cfg.display.height, cfg.display.orientation) == (1080, 1920, "portrait")
    assert cfg.language.default == "zh-CN" and cfg.session.idle_timeout_s == 60
    assert cfg.devices.idcard.port == "socket://127.0.0.1:17101" and cfg.devices.idcard.enabled
    assert cfg.devices.printer.port == "socket://127.0.0.1:17102" and cfg.devices.printer.profile == "generic-80mm"
    assert cfg.backend.base_url == "https://127.0.0.1:17100"
    assert cfg.backend.ca_bundle == ROOT / "config" / "dev-tls" / "ca.pem"
    assert cfg.backend.secret_file == ROOT / "config" / "dev-terminal.secret"
    assert cfg.outbox.path == ROOT / "var" / "outbox.sqlite3" and cfg.logging.dir == ROOT / "var" / "log"
    assert verify_pin("246810", cfg.staff.pin_hash) and not verify_pin("246811", cfg.staff.pin_hash)
    ids = [s.id for s in cfg.services]
    assert ids == ["queue-ticket", "service-guides", "social-insurance-record", "e-licences", "hotline-12345",
                   "appointment", "certificate-delivery"]
    assert {s.action for s in cfg.services} == {"queue_ticket", "guide", "record", "licences", "submission"}
    assert {s.params.get("submission_type") for s in cfg.services if s.action == "submission"} == {
        "12345", "appointment", "delivery"}
    assert cfg.service("hotline-12345").field("description").kind == "handoff_text"
    assert cfg.opening_hours.is_open(datetime(2026, 11, 28, 3, 0))


def test_summary_is_one_line(cfg_dir: Path) -> None:
    summary = load_config(cfg_dir).summary()
    assert "\n" not in summary and "SH-JA-NJXL-01" in summary and "7/7" in summary


def test_config_is_frozen(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    with pytest.raises(dataclasses.FrozenInstanceError):  # the config types are frozen stdlib dataclasses
        cfg.terminal.id = "X"  # type: ignore[misc]


# the UI process imports the config types, and unpickles a config validated in another process, without pydantic
NO_PYDANTIC = ("import sys; assert not {m for m in sys.modules if m.split('.')[0] in "
               "('pydantic', 'pydantic_core', 'annotated_types')}, 'pydantic imported'")


def test_config_types_import_without_pydantic() -> None:
    code = ("import kiosk.config.loader, kiosk.config.base, kiosk.config.terminal, kiosk.config.services, "
            f"kiosk.config.hours; {NO_PYDANTIC}")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_validated_config_unpickles_without_pydantic() -> None:
    cfg = load_config(ROOT / "config")
    code = ("import pickle, sys; cfg = pickle.loads(sys.stdin.buffer.read()); "
            f"print(cfg.summary()); {NO_PYDANTIC}")
    proc = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(cfg), capture_output=True,
                          timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().strip() == cfg.summary()


def test_default_dir_and_env_override(monkeypatch: pytest.MonkeyPatch, cfg_dir: Path) -> None:
    assert DEFAULT_CONFIG_DIR == ROOT / "config"
    monkeypatch.delenv("KIOSK_CONFIG_DIR", raising=False)
    assert default_config_dir() == DEFAULT_CONFIG_DIR
    monkeypatch.setenv("KIOSK_CONFIG_DIR", str(cfg_dir))
    assert load_config().config_dir == cfg_dir.resolve()


def test_relative_paths_resolve_against_config_dir(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    assert cfg.outbox.path == cfg_dir.parent / "var" / "outbox.sqlite3"
    assert cfg.backend.secret_file == cfg_dir / "dev-terminal.secret"
    assert cfg.backend.ca_bundle is None


# --- faults: each names file, line, key ---------------------------------------------------------------
def test_string_five_is_not_an_int(cfg_dir: Path) -> None:
    patch(cfg_dir, "terminal.yaml", "  countdown_s: 15\n", '  countdown_s: "5"\n')
    issue = only_issue(cfg_dir)
    assert (Path(issue.file).name, issue.line, issue.key) == (
        "terminal.yaml", line_no(cfg_dir, "terminal.yaml", "countdown_s"), "session.countdown_s")
    assert issue.message.startswith("应为整数") and "'5'" in issue.message
    assert str(issue).startswith(f"{cfg_dir / 'terminal.yaml'}:{issue.line}: session.countdown_s: 应为整数")


def test_missing_section_points_at_parent_mapping(cfg_dir: Path) -> None:
    patch(cfg_dir, "terminal.yaml", "    port: socket://127.0.0.1:17101\n", "")
    issue = only_issue(cfg_dir)
    assert issue.key == "devices.idcard.port" and issue.message.startswith("缺少必填项")
    assert issue.line == line_no(cfg_dir, "terminal.yaml", "  idcard:")


def test_missing_file_and_empty_file(cfg_dir: Path) -> None:
    (cfg_dir / "services.yaml").unlink()
    (cfg_dir / "terminal.yaml").write_text("")
    cfg, issues = check_config(cfg_dir)
    assert cfg is None
    assert [(Path(i.file).name, i.line, i.message) for i in issues] == [
        ("terminal.yaml", None, "配置文件为空 (file is empty)"),
        ("services.yaml", None, "配置文件不存在 (file not found)")]
    assert str(issues[1]) == f"{cfg_dir / 'services.yaml'}: (文件 file): 配置文件不存在 (file not found)"


def test_duplicate_yaml_key_is_an_error(cfg_dir: Path) -> None:
    patch(cfg_dir, "terminal.yaml", "  countdown_s: 15\n", "  countdown_s: 15\n  countdown_s: 20\n")
    issue = only_issue(cfg_dir)
    assert issue.key == "session.countdown_s" and "重复" in issue.message
    assert issue.line == line_no(cfg_dir, "terminal.yaml", "countdown_s: 20")


def test_orientation_must_agree_with_size(cfg_dir: Path) -> None:
    patch(cfg_dir, "terminal.yaml", "  orientation: portrait\n", "  orientation: landscape\n")
    issue = only_issue(cfg_dir)
    assert issue.key == "display.orientation" and "横屏" in issue.message


def test_secret_file_must_exist(cfg_dir: Path) -> None:
    (cfg_dir / "dev-terminal.secret").unlink()
    issue = only_issue(cfg_dir)
    assert issue.key == "backend.secret_file" and "文件不存在" in issue.message
    assert issue.line == line_no(cfg_dir, "terminal.yaml", "secret_file:")


def test_pin_hash_never_echoed(cfg_dir: Path) -> None:
    patch(cfg_dir, "terminal.yaml", "  pin_hash: pbkdf2", "  pin_hash: 123456 #")
    issue = only_issue(cfg_dir)
    assert issue.key == "staff.pin_hash" and "123456" not in issue.message


def test_service_needing_unconfigured_device(cfg_dir: Path) -> None:
    patch(cfg_dir, "services.yaml", "    devices: []\n    action: licences\n",
          "    devices: [idcard]\n    action: licences\n")
    patch(cfg_dir, "terminal.yaml", "  idcard:\n    enabled: true\n", "  idcard:\n    enabled: false\n")
    issue = only_issue(cfg_dir)
    assert issue.key == "services[3].devices[0]" and "e-licences" in issue.message and "idcard" in issue.message


def test_field_rules_are_checked(cfg_dir: Path) -> None:
    patch(cfg_dir, "services.yaml", "        label: {zh: 联系电话, en: Mobile number}\n        kind: phone\n"
          "        help:", "        label: {zh: 联系电话, en: Mobile number}\n        kind: phone\n"
          "        pattern: '[0-9'\n        help:")
    slot_line = line_no(cfg_dir, "services.yaml", "      - id: slot")
    patch(cfg_dir, "services.yaml", "      - id: slot\n", "      - id: date\n")
    cfg, issues = check_config(cfg_dir)
    assert cfg is None
    assert [(i.key, i.line) for i in issues] == [
        ("services[4].fields[1].pattern", line_no(cfg_dir, "services.yaml", "pattern: '[0-9'")),
        ("services[5].fields[2].id", slot_line)]
    assert "正则表达式无效" in issues[0].message and "字段 id 'date' 重复" in issues[1].message


def test_all_faults_in_both_files_are_collected(cfg_dir: Path) -> None:
    patch(cfg_dir, "terminal.yaml", "  baudrate: 115200\n    # 照片", "  baudrate: 4800\n    # 照片")
    patch(cfg_dir, "terminal.yaml", "  id: SH-JA-NJXL-01\n", "  id: sh ja\n")
    patch(cfg_dir, "services.yaml", "    identification: none\n    devices: [printer]\n",
          "    identification: face\n    devices: [printer]\n")
    patch(cfg_dir, "services.yaml", "    category: general\n    icon: menu_book\n", "    category: general\n")
    cfg, issues = check_config(cfg_dir)
    assert cfg is None
    assert [i.key for i in issues] == ["terminal.id", "devices.idcard.baudrate", "services[0].identification",
                                       "services[1].icon"]


def test_unknown_error_type_falls_back_to_generic_chinese() -> None:
    from kiosk.config.issues import describe_error

    text = describe_error({"type": "some_new_type", "loc": ("a",), "msg": "Something odd", "input": 1})
    assert text.startswith("配置项取值不正确") and "Something odd" in text


# --- ports ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/dev/ttyUSB0", "/dev/kiosk-idcard", "/dev/pts/3", "socket://127.0.0.1:17101",
                                 "socket://localhost:1", "socket://[::1]:17101", "rfc2217://10.0.0.5:4001",
                                 "rfc2217://host:4001?ign_set_control&timeout=3", "loop://", "loop://?logging=debug",
                                 "spy:///dev/ttyUSB0?file=/tmp/trace.txt&color"])
def test_port_urls_accepted(url: str) -> None:
    assert _port_problem(url) is None


@pytest.mark.parametrize("url", ["", "COM3", "ttyUSB0", "/dev/", "/dev/../etc/passwd", "socket://127.0.0.1",
                                 "socket://:17101", "socket://host:0", "socket://host:70000", "socketx://h:1",
                                 "http://host:80", "loop://host", "spy://socket://h:1", "rfc2217://host"])
def test_port_urls_refused(url: str) -> None:
    assert _port_problem(url) is not None


# --- opening hours -------------------------------------------------------------------------------------
def hours(**kw: object) -> OpeningHours:
    return OpeningHours.model_validate(kw)


def test_opening_hours_weekly_and_holidays() -> None:
    oh = hours(weekly={"mon": ["09:00-12:00", "13:00-17:00"], "sat": ["09:00-24:00"]},
               holidays_closed=[date(2026, 11, 30), "2026-12-07"])
    assert oh.is_open(datetime(2026, 11, 23, 9, 0))  # Monday
    assert not oh.is_open(datetime(2026, 11, 23, 12, 30))
    assert not oh.is_open(datetime(2026, 11, 23, 17, 0))  # end is exclusive
    assert not oh.is_open(datetime(2026, 11, 24, 10, 0))  # Tuesday: closed
    assert oh.is_open(datetime(2026, 11, 28, 23, 59))  # Saturday until 24:00
    assert not oh.is_open(datetime(2026, 11, 30, 10, 0))  # holiday Monday
    assert not oh.is_open(datetime(2026, 12, 7, 10, 0))
    # 01:30 UTC Monday is 09:30 in Shanghai
    assert oh.is_open(datetime(2026, 11, 23, 1, 30, tzinfo=timezone.utc))
    assert oh.describe("zh-CN") == ("周一 09:00-12:00、13:00-17:00；周二至周五休息；周六 09:00-24:00；周日休息"
                                    "；法定节假日休息")
    assert oh.describe("en").startswith("Mon 09:00-12:00, 13:00-17:00; Tue–Fri closed; Sat 09:00-24:00")


def test_always_open() -> None:
    oh = hours(always_open=True, holidays_closed=["2026-10-01"])
    assert oh.is_open(datetime(2026, 10, 1, 3, 0)) and "24" in oh.describe("zh-CN")


@pytest.mark.parametrize("ranges", [["24:00-24:00"], ["08:00-08:00"], ["12:60-13:00"], ["9-17"],
                                    ["08:00-10:00", "09:59-11:00"], ["10:00-24:30"]])
def test_bad_ranges_refused(ranges: list[str]) -> None:
    with pytest.raises(ValidationError):
        hours(weekly={"tue": ranges})


def test_bad_timezone_refused() -> None:
    with pytest.raises(ValidationError):
        hours(timezone="Mars/Olympus")


# --- PIN ------------------------------------------------------------------------------------------------
def test_hash_and_verify_pin() -> None:
    h = hash_pin("135790", iterations=10_000)
    assert h.startswith("pbkdf2_sha256_pin6$10000$")
    assert verify_pin("135790", h) and not verify_pin("135791", h) and not verify_pin("135790", "junk")
    assert hash_pin("135790", iterations=10_000) != h  # fresh salt
    with pytest.raises(ValueError):
        hash_pin("12a4")


def test_cli_hash_pin_from_stdin() -> None:
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "hash-pin"], input="975310\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert verify_pin("975310", proc.stdout.strip().removeprefix("pin_hash: "))


@pytest.mark.parametrize("pin", ["97531", "1234", ""])
def test_hash_pin_refuses_pins_shorter_than_six_digits(pin) -> None:
    with pytest.raises(ValueError, match="6"):
        hash_pin(pin)
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "hash-pin"], input=f"{pin}\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "pin_hash" not in proc.stdout and "6" in proc.stderr


# --- form fields -----------------------------------------------------------------------------------------
def field(**kw: object) -> FieldDef:
    return FieldDef.model_validate({"id": "f", "label": {"zh": "字段", "en": "Field"}, **kw})


def test_id_number_check_character() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert id_number_valid("11010519491231002X") and id_number_valid("11010519491231002x")
    assert not id_number_valid("110105194912310021")  # wrong check char
    assert not id_number_valid("11010519491331002X")  # month 13
    f = field(kind="id_number")
    assert f.validate("11010519491231002X") is None
    msg = f.validate("110105194912310021")
    assert msg is not None and "身份证" in msg.zh and "ID number" in msg.en and "1101" not in msg.zh


@pytest.mark.parametrize("value,ok", [("13800138000", True), ("19912345678", True), ("12800138000", False),
                                      ("1380013800", False), ("138001380001", False), ("+8613800138000", False)])
def test_mobile_numbers(value: str, ok: bool) -> None:
    assert (field(kind="phone").validate(value) is None) is ok


def test_field_validation_rules() -> None:
    assert field(kind="digits").validate("") is not None
    assert field(kind="digits", required=False).validate("  ") is None
    assert field(kind="digits", min_length=4).validate("123").zh.startswith("至少")
    assert field(kind="digits").validate("12a") is not None
    assert field(kind="date").validate("2026-12-01") is None and field(kind="date").validate("2026-02-30")
    chosen = field(kind="choice", choices=[{"value": "a", "label": {"zh": "甲", "en": "A"}}])
    assert chosen.validate("a") is None and chosen.validate("b") is not None
    assert field(kind="digits", pattern=r"\d{6}").validate("12345") is not None
    with pytest.raises(ValidationError):
        field(kind="choice")  # choices required
    with pytest.raises(ValidationError):
        field(kind="phone", choices=[{"value": "a", "label": {"zh": "甲", "en": "A"}}])


# --- robustness -----------------------------------------------------------------------------------------
def test_alias_bomb_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh"))
    data, _, issues = parse_yaml_text(bomb, "x.yaml")
    assert data is None and "别名" in issues[0].message


@pytest.mark.parametrize("text", ["[" * 200_000, "- " * 200_000 + "x", "{a: " * 100_000 + "1"])
def test_deep_nesting_is_an_issue_not_a_crash(text: str) -> None:
    # libyaml's C composer would overflow the C stack here; the loader must fall back and report instead
    data, _, issues = parse_yaml_text(text, "deep.yaml")
    assert data is None and len(issues) == 1 and issues[0].file == "deep.yaml"


YAMLISH = st.lists(st.sampled_from(["terminal:", "  id: ", "- ", "[", "]", "{", "}", ": ", "\n", "  ", "&a ",
                                    "*a", "!!python/object:os.system", "'", '"', "#", "24:00", "1e9", "~",
                                    "services:", "<<: ", "\t", "\x00", "中文", "---\n", "%YAML 1.1\n"]),
                   max_size=40).map("".join) | st.text(max_size=300)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(terminal=YAMLISH, services=YAMLISH)
def test_arbitrary_yaml_never_crashes_loader(cfg_dir: Path, terminal: str, services: str) -> None:
    (cfg_dir / "terminal.yaml").write_text(terminal, encoding="utf-8", errors="surrogatepass")
    (cfg_dir / "services.yaml").write_text(services, encoding="utf-8", errors="surrogatepass")
    try:
        load_config(cfg_dir)
    except ConfigError as exc:
        assert exc.issues and all(isinstance(i, ConfigIssue) and i.message for i in exc.issues)


VALUES = st.sampled_from(["", "1", "-1", "0", "1.5", '"5"', "true", "null", "[]", "{}", "[a, b]", "{x: 1}",
                          "socket://h:1", "/dev/x", "09:00-17:00", "2026-02-30", "&a x", "*a", "中文", "!!binary AA",
                          "'unterminated", "x: y: z"]) | st.text(max_size=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_real_config_reports_or_loads(cfg_dir: Path, data: st.DataObject) -> None:
    """Replace values of the real files with junk: always a KioskConfig or a ConfigError with located issues."""
    for name in ("terminal.yaml", "services.yaml"):
        lines = (ROOT / "config" / name).read_text(encoding="utf-8").splitlines()
        if name == "terminal.yaml":
            lines = [ln.replace("dev-tls/ca.pem", "null") for ln in lines]
        for _ in range(data.draw(st.integers(0, 3))):
            i = data.draw(st.integers(0, len(lines) - 1))
            key, sep, _ = lines[i].partition(": ")
            if sep:
                lines[i] = f"{key}: {data.draw(VALUES)}"
        (cfg_dir / name).write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    try:
        load_config(cfg_dir)
    except ConfigError as exc:
        assert exc.issues
        assert all(i.line is None or 1 <= i.line <= 400 for i in exc.issues)


def test_unquoted_number_gets_a_quote_hint(cfg_dir: Path) -> None:
    patch(cfg_dir, "services.yaml", 'params: {submission_type: "12345"}', "params: {submission_type: 12345}")
    patch(cfg_dir, "terminal.yaml", "  name_en: Nanjing", "  name_en: 2026-10-01 #")
    cfg, issues = check_config(cfg_dir)
    assert cfg is None and [i.key for i in issues] == ["terminal.name_en", "services[4].params.submission_type"]
    assert all("加上引号" in i.message and "quotes" in i.message for i in issues)


def test_unknown_icon_name_is_an_error_naming_file_line_and_key(cfg_dir: Path) -> None:
    patch(cfg_dir, "services.yaml", "    icon: event_available\n", "    icon: calendar-x\n")
    issue = only_issue(cfg_dir)
    assert (Path(issue.file).name, issue.line, issue.key) == (
        "services.yaml", line_no(cfg_dir, "services.yaml", "icon: calendar-x"), "services[5].icon")
    assert "图标库中没有名为 'calendar-x' 的图标" in issue.message


def test_every_shipped_icon_is_in_the_installed_icon_set() -> None:
    from kiosk.config.loader import load_config
    from kiosk.icons import codepoints, glyph

    cfg = load_config(Path(__file__).resolve().parents[2] / "config")
    names = {s.icon for s in cfg.services} | {c.icon for c in cfg.categories}
    assert names and names <= set(codepoints())
    # the map is read from the package: the private-use code of a name the spec lists
    assert 0xE000 <= ord(glyph("qr_code_scanner")) <= 0xF8FF
# ---- devices.scanner (issue 17): off by default, optional (older files load), profile names checked


def test_shipped_config_has_the_scanner_off_on_the_simulator_port(cfg_dir):
    s = load_config(cfg_dir).devices.scanner
    assert (s.enabled, s.port, s.baudrate, s.profile, s.dedupe_s) == (False, "socket://127.0.0.1:17103", 9600,
                                                                      "generic", 2.0)


def test_a_file_without_the_scanner_block_loads_with_it_off(cfg_dir):
    text = (cfg_dir / "terminal.yaml").read_text(encoding="utf-8")
    start = text.index("  # 二维码扫码器")
    end = text.index("    dedupe_s: 2\n") + len("    dedupe_s: 2\n")
    (cfg_dir / "terminal.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    assert load_config(cfg_dir).devices.scanner.enabled is False


def test_unknown_profile_is_named_with_file_line_and_chinese_message(cfg_dir):
    patch(cfg_dir, "terminal.yaml", "    profile: generic\n", "    profile: honeywel\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg_dir)
    [issue] = info.value.issues
    lines = (cfg_dir / "terminal.yaml").read_text(encoding="utf-8").splitlines()
    assert issue.key == "devices.scanner.profile" and lines[issue.line - 1] == "    profile: honeywel"
    assert "未知的扫码器型号配置" in issue.message


def test_bad_baud_rate_is_refused(cfg_dir):
    patch(cfg_dir, "terminal.yaml", "    baudrate: 9600\n", "    baudrate: 9601\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg_dir)
    assert [i.key for i in info.value.issues] == ["devices.scanner.baudrate"]
