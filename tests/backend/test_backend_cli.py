"""``kiosk outbox …`` staff commands (masked output) and ``kiosk sim backend`` / ``backend-control``."""
from __future__ import annotations

import re
import signal
import subprocess
import sys

import pytest
from backend_support import REPO

from kiosk.backend.outbox import Outbox
from kiosk.cli import main


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    ob = Outbox(path)
    ob.enqueue(reference="NJXL01-20261127-7F3K9Q", idempotency_key="k" * 32, service_id="hotline-12345",
               kind="12345", fields={"phone": "13812345678", "id_number": "310106198807155218",
                                     "content": "小区门口路灯不亮"}, token="tok-very-secret")
    ob.enqueue(reference="NJXL01-20261127-ABCDEF", idempotency_key="j" * 32, service_id="appointment",
               kind="appointment", fields={"date": "2026-11-30"}, token=None)
    row = ob.claim(1)[0]
    ob.mark_dead(row.id, "validation_failed: phone must be an 11-digit mainland mobile number")
    other = ob.claim(1)[0]
    ob.mark_done(other.id, "received")
    ob.close()
    return path


SECRETS = ("13812345678", "310106198807155218", "小区门口路灯不亮", "tok-very-secret")


def test_list_is_masked_and_counts_states(db, capsys):
    assert main(["outbox", "list", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "NJXL01-20261127-7F3K9Q" in out and "dead" in out and "done" in out
    assert "失败 dead 1" in out and "已送达 done 1" in out
    assert not any(s in out for s in SECRETS)


def test_show_masks_fields_and_hides_the_token(db, capsys):
    assert main(["outbox", "show", "1", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "138****5678" in out and "3101**********5218" in out and "小*" in out
    assert not any(s in out for s in SECRETS)
    assert main(["outbox", "show", "2", "--db", str(db)]) == 0
    assert "已清除" in capsys.readouterr().out  # done: fields purged
    assert main(["outbox", "show", "99", "--db", str(db)]) == 1


def test_retry_and_purge_done(db, capsys):
    assert main(["outbox", "retry", "1", "--db", str(db)]) == 0
    assert main(["outbox", "retry", "2", "--db", str(db)]) == 1  # done rows are never re-sent
    assert main(["outbox", "purge-done", "--db", str(db)]) == 0
    ob = Outbox(db)
    assert ob.counts() == {"pending": 1, "in_flight": 0, "done": 0, "dead": 0}
    ob.close()


def test_missing_db_is_an_error_not_a_new_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["outbox", "list", "--db", str(tmp_path / "typo.sqlite3")])
    assert info.value.code == 2 and not (tmp_path / "typo.sqlite3").exists()


def test_sim_backend_command_serves_and_takes_control_commands():
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "sim", "backend", "--port", "0"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        port = int(re.search(r"https://127\.0\.0\.1:(\d+)", line).group(1))
        ctl = subprocess.run([sys.executable, "-m", "kiosk.cli", "sim", "backend-control", '{"cmd": "counts"}',
                              "--port", str(port)], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert ctl.returncode == 0 and '"deliveries": 0' in ctl.stdout
        bad = subprocess.run([sys.executable, "-m", "kiosk.cli", "sim", "backend-control", '{"cmd": "qr_scan"}',
                              "--port", str(port)], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert bad.returncode == 1 and "no QR ticket" in bad.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_outbox_commands_find_the_file_through_the_config_dir(tmp_path, capsys):
    import shutil
    conf = tmp_path / "config"
    conf.mkdir()
    for name in ("terminal.yaml", "services.yaml", "dev-terminal.secret"):
        shutil.copy(REPO / "config" / name, conf / name)
    shutil.copytree(REPO / "config" / "dev-tls", conf / "dev-tls")
    ob = Outbox(tmp_path / "var" / "outbox.sqlite3")  # terminal.yaml: outbox.path ../var/outbox.sqlite3
    ob.enqueue(reference="NJXL01-20261127-CONFIG", idempotency_key="c" * 32, service_id="appointment",
               kind="appointment", fields={"phone": "13812345678"}, token=None)
    ob.close()
    assert main(["outbox", "list", "--config", str(conf)]) == 0
    out = capsys.readouterr().out
    assert "NJXL01-20261127-CONFIG" in out and "13812345678" not in out
