"""The gateway simulator's endpoints for codes a resident shows the kiosk's scanner (issue 17).

* ``POST /v1/auth/ssm`` — a 随申码 (the resident's health/identity code from the 随申办 app) → a session like
  the ID-card login. A code is valid for ``SSM_TTL_S`` (60 s) and once: the app refreshes its code, and a
  refreshed code of the same resident works while an expired (``code_expired``) or already used one
  (``code_replayed``) is refused; anything else is ``code_invalid``.
* ``POST /v1/pickups/lookup`` — a 证照统一物流 pick-up code from the resident's SMS → the pick-up slip data.
* ``POST /v1/appointments/check-in`` — a booked appointment's QR → a queue ticket with the window; checking
  in twice returns the same ticket (the resident pressed twice, or the reply was lost).

Codes travel in the body, never in the URL (URLs end up in access logs). The state lives here, on the
``Routes.scan`` object of one simulator; tests and developers create codes with :meth:`ScanRoutes.scan_control`
(``POST /_sim/control`` commands ``ssm_issue``, ``ssm_expire``, ``pickup_add``, ``appointment_add``).
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from typing import Any

from kiosk.backend.simulator.data import QUEUE_WINDOWS
from kiosk.backend.simulator.replies import GatewayState, Reply, err, iso

ROUTES = [(r"^/v1/auth/ssm$", "POST", "auth_ssm"),
          (r"^/v1/pickups/lookup$", "POST", "pickup_lookup"),
          (r"^/v1/appointments/check-in$", "POST", "appointment_check_in")]
CONTROLS = ("ssm_issue", "ssm_expire", "pickup_add", "appointment_add")
SSM_TTL_S = 60.0
CODE_RE = re.compile(r"^[\x20-\x7e]{4,512}$")
SSM_PREFIX = "https://ssm.sh.gov.cn/c/"
#: pick-up codes and appointment QRs the simulator knows from the start (the demo and developers use them)
DEMO_PICKUPS = {"SH-WL-66002188": "ready", "SH-WL-66002199": "collected"}
DEMO_APPOINTMENT = "APPT-20261203-0193"


class _ScanState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ssm: dict[str, dict] = {}  # code → resident, expires, used
        self.pickups: dict[str, dict] = {code: _pickup(code, state) for code, state in DEMO_PICKUPS.items()}
        self.appointments: dict[str, dict] = {DEMO_APPOINTMENT: _appointment(DEMO_APPOINTMENT, 0)}


def _pickup(code: str, state: str) -> dict:
    return {"code": code, "state": state, "item_zh": "居民身份证（换领）", "item_en": "Resident ID card (renewal)",
            "recipient": "王*明", "place_zh": "一网通办自助区 3 号智能柜", "place_en": "Self-service area, locker 3",
            "slot": "3-12", "days_kept": 14}


def _appointment(code: str, minutes_from_now: float) -> dict:
    return {"code": code, "service_id": "household-registration", "service_zh": "户籍业务",
            "service_en": "Household registration", "start": time.time() + minutes_from_now * 60,
            "ticket": None}


class ScanRoutes:
    """The endpoints for scanned codes, one of ``handlers.Routes``' collaborators, with the codes they know."""

    def __init__(self, sim: GatewayState) -> None:
        self.sim = sim
        self._scan = _ScanState()

    # ----- developer / test controls ----------------------------------------------------------------
    def scan_control(self, cmd: dict) -> dict[str, Any]:
        name = cmd.get("cmd")
        if name == "ssm_issue":
            return {"code": self.ssm_issue(str(cmd.get("name", "王小明")),
                                           str(cmd.get("id_number", "310106198807155218")))}
        if name == "ssm_expire":
            self.ssm_expire(cmd.get("code"))
            return {}
        if name == "pickup_add":
            return {"code": self.pickup_add(str(cmd.get("state", "ready")))}
        if name == "appointment_add":
            return {"code": self.appointment_add(float(cmd.get("minutes_from_now", 0)))}
        raise ValueError(f"unknown scan control {name!r}")

    def ssm_issue(self, name: str = "王小明", id_number: str = "310106198807155218") -> str:
        """The resident's app shows a fresh 随申码 (what the scanner reads is this whole string)."""
        code = SSM_PREFIX + secrets.token_urlsafe(18)
        with self._scan.lock:
            self._scan.ssm[code] = {"name": name, "id_number": id_number, "expires": time.time() + SSM_TTL_S,
                                    "used": False}
        return code

    def ssm_expire(self, code: str | None = None) -> None:
        """Let ``code`` (default: the latest issued) run out, without waiting 60 s."""
        with self._scan.lock:
            if code is None:
                if not self._scan.ssm:
                    raise KeyError("no 随申码 issued yet")
                code = next(reversed(self._scan.ssm))
            self._scan.ssm[code]["expires"] = time.time() - 1

    def pickup_add(self, state: str = "ready") -> str:
        if state not in ("ready", "collected", "returned"):
            raise ValueError("state must be ready, collected or returned")
        code = f"SH-WL-{secrets.randbelow(10 ** 8):08d}"
        with self._scan.lock:
            self._scan.pickups[code] = _pickup(code, state)
        return code

    def appointment_add(self, minutes_from_now: float = 0.0) -> str:
        code = f"APPT-{secrets.token_hex(6).upper()}"
        with self._scan.lock:
            self._scan.appointments[code] = _appointment(code, minutes_from_now)
        return code

    # ----- endpoints -------------------------------------------------------------------------------
    def _code(self, data: dict) -> str | None:
        code = data.get("code")
        return code if isinstance(code, str) and CODE_RE.fullmatch(code) and set(data) == {"code"} else None

    def auth_ssm(self, h: dict, data: dict) -> Reply:

        code = self._code(data)
        if code is None:
            return err(422, "validation_failed", "code (4-512 printable ASCII characters) is required",
                       fields=["code"])
        with self._scan.lock:
            entry = self._scan.ssm.get(code)
            if entry is None:
                return err(422, "code_invalid", "not a code this gateway issued")
            if entry["used"]:
                return err(422, "code_replayed", "this code was already used; show the refreshed code")
            if time.time() > entry["expires"]:
                return err(422, "code_expired", "this code has expired; refresh it in the app")
            entry["used"] = True
            name, id_number = entry["name"], entry["id_number"]
        return 200, self.sim.issue_token(name, id_number), {}

    def pickup_lookup(self, h: dict, data: dict) -> Reply:

        code = self._code(data)
        if code is None:
            return err(422, "validation_failed", "code is required", fields=["code"])
        with self._scan.lock:
            entry = self._scan.pickups.get(code)
            entry = dict(entry) if entry is not None else None
        if entry is None:
            return err(404, "not_found", "no parcel for this pick-up code")
        if entry["state"] != "ready":
            return err(409, "pickup_" + entry["state"], f"the parcel was already {entry['state']}")
        now = time.time()
        return 200, {"pickup_id": "PU-" + code[-8:], "code_masked": code[:6] + "****" + code[-2:],
                     "item_zh": entry["item_zh"], "item_en": entry["item_en"], "recipient": entry["recipient"],
                     "place_zh": entry["place_zh"], "place_en": entry["place_en"], "slot": entry["slot"],
                     "keep_until": iso(now + entry["days_kept"] * 86400), "looked_up_at": iso(now)}, {}

    def appointment_check_in(self, h: dict, data: dict) -> Reply:

        code = self._code(data)
        if code is None:
            return err(422, "validation_failed", "code is required", fields=["code"])
        now = time.time()
        with self._scan.lock:
            appt = self._scan.appointments.get(code)
            if appt is None:
                return err(404, "not_found", "no appointment for this code")
            early, late = appt["start"] - 30 * 60, appt["start"] + 30 * 60
            if appt["ticket"] is None and not early <= now <= late:
                return err(422, "appointment_not_now", "check-in opens 30 min before the booked time and "
                           "closes 30 min after it", starts_at=iso(appt["start"]))
            again = appt["ticket"] is not None
            if not again:
                with self.sim.lock:
                    self.sim.queue_counter += 1
                    n = self.sim.queue_counter
                zh, en = QUEUE_WINDOWS[n % len(QUEUE_WINDOWS)]
                appt["ticket"] = {"number": f"Y{n:03d}", "service_id": appt["service_id"], "window_zh": zh,
                                  "window_en": en, "waiting": n % 3, "issued_at": iso(now)}
            reply = {"appointment_id": "AP-" + code[-6:], "service_zh": appt["service_zh"],
                     "service_en": appt["service_en"], "starts_at": iso(appt["start"]), "already_checked_in": again,
                     "ticket": dict(appt["ticket"])}
        return 200, reply, {}
