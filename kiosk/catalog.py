"""The service catalog as the resident sees it: which tiles, in which category, usable now or greyed and why.

Pure functions over the config's ``services``/``categories``, the current device/backend view and the set of
services staff disabled at the kiosk. No I/O; the session calls :func:`build_menu` whenever a status changes.
"""
from __future__ import annotations

from typing import Any, Iterable

from kiosk.session.state import DeviceView, FieldView, FormView, MenuCategory, MenuItem, ServiceView, Text
from kiosk.session.text import msg

#: actions that only work while the gateway answers; submissions go to the outbox and work offline
ONLINE_ACTIONS = ("queue_ticket", "guide", "record", "licences")
#: FieldDef.kind → the FieldView kind the screens know (the form screen picks a pad/picker from it)
_KIND = {"digits": "digits", "id_number": "idnumber", "phone": "phone", "choice": "choice", "date": "date",
         "handoff_text": "handoff"}


def text_of(local: Any) -> Text:
    """A config LocalText (``.zh``/``.en``) as a session Text."""
    return Text(str(local.zh), str(local.en))


def needs_login(service: Any) -> bool:
    return getattr(service, "identification", "none") != "none"


def service_view(service: Any) -> ServiceView:
    return ServiceView(id=service.id, title=text_of(service.title), action=service.action,
                       category=service.category, icon=str(getattr(service, "icon", "")),
                       needs_login=needs_login(service), printable=printable(service))


def printable(service: Any) -> bool:
    """Whether the shown content may be printed: records always, guides/licences per ``params.printable``."""
    if service.action == "record":
        return True
    if service.action in ("guide", "licences"):
        return bool((getattr(service, "params", None) or {}).get("printable", service.action == "guide"))
    return False


def unavailable_reason(service: Any, devices: DeviceView) -> Text | None:
    """Why ``service`` cannot be used right now (None = usable). The first blocking reason wins."""
    wanted = list(getattr(service, "devices", ()) or ())
    if "printer" in wanted and not devices.printer_ready:
        return msg("reason.paper_out") if devices.paper == "out" else msg("reason.printer")
    if "idcard" in wanted and not devices.reader_online:
        return msg("reason.reader")
    if "scanner" in wanted and devices.scanner != "online":
        return msg("reason.scanner")
    if service.action in ONLINE_ACTIONS and not devices.backend_ok:
        return msg("reason.backend")
    return None


def build_menu(cfg: Any, devices: DeviceView, disabled: Iterable[str] = ()) -> tuple[list[MenuCategory], list[MenuItem]]:
    """``(categories with their items, items for the attract screen)``.

    Services disabled in the YAML or by staff are hidden; the rest are shown, greyed with a reason when
    their devices or the gateway are not ready. The attract screen gets the services that need no login.
    """
    off = set(disabled)
    categories: list[MenuCategory] = []
    by_id: dict[str, MenuCategory] = {}
    for cat in getattr(cfg, "categories", ()) or ():
        entry = MenuCategory(id=cat.id, title=text_of(cat.title))
        categories.append(entry)
        by_id[cat.id] = entry
    attract: list[MenuItem] = []
    for service in getattr(cfg, "services", ()) or ():
        if not getattr(service, "enabled", True) or service.id in off:
            continue
        reason = unavailable_reason(service, devices)
        item = MenuItem(service_id=service.id, title=text_of(service.title), icon=str(service.icon),
                        available=reason is None, reason=reason, needs_login=needs_login(service),
                        action=service.action, summary=text_of(service.summary))
        category = by_id.get(service.category)
        if category is None:  # config validation forbids it; keep the tile rather than lose a service
            category = MenuCategory(id=service.category, title=Text(service.category, service.category))
            categories.append(category)
            by_id[service.category] = category
        category.items.append(item)
        if not item.needs_login:
            attract.append(item)
    return [c for c in categories if c.items], attract


def find_service(cfg: Any, service_id: str, disabled: Iterable[str] = ()) -> Any | None:
    """The enabled ServiceDef with this id, or None (unknown, disabled in YAML or by staff)."""
    if service_id in set(disabled):
        return None
    for service in getattr(cfg, "services", ()) or ():
        if service.id == service_id and getattr(service, "enabled", True):
            return service
    return None


def guide_topics(cfg: Any, disabled: Iterable[str] = ()) -> list[MenuItem]:
    """Services a guide can be shown for: every enabled one except the guide browsers themselves."""
    off = set(disabled)
    return [MenuItem(service_id=s.id, title=text_of(s.title), icon=str(s.icon), available=True, reason=None,
                     needs_login=needs_login(s), action=s.action)
            for s in getattr(cfg, "services", ()) or ()
            if getattr(s, "enabled", True) and s.id not in off and s.action != "guide"]


#: lengths at which a pad-typed value is "finished" and may be judged (no red error while still typing)
_FULL_LENGTH = {"phone": 11, "id_number": 18, "date": 10}


def entry_complete(fdef: Any, value: str) -> bool:
    """Whether the resident has finished entering ``value`` (choices at once, pads at their full length)."""
    if fdef.kind in _FULL_LENGTH:
        return len(value) >= _FULL_LENGTH[fdef.kind]
    if fdef.kind == "digits":
        return fdef.max_length is not None and len(value) >= fdef.max_length
    return True


def form_view(service: Any, values: dict[str, str], handoff_url: str | None = None,
              show_errors: bool = False) -> FormView:
    """The form for ``service`` with ``values`` filled in; errors only for touched fields or on submit."""
    fields = []
    for fdef in getattr(service, "fields", ()) or ():
        kind = _KIND.get(fdef.kind, fdef.kind)
        value = values.get(fdef.id, "")
        error = None
        if kind != "handoff" and (show_errors or (fdef.id in values and entry_complete(fdef, value))):
            problem = fdef.validate(value)
            if problem is not None:
                error = Text(problem.zh, problem.en)
        options = [(c.value, text_of(c.label)) for c in (fdef.choices or ())]
        fields.append(FieldView(id=fdef.id, label=text_of(fdef.label), kind=kind, value=value, error=error,
                                required=bool(fdef.required), options=options,
                                handoff_url=handoff_url if kind == "handoff" else None,
                                max_length=fdef.max_length,
                                hint=text_of(fdef.help) if fdef.help is not None else None))
    return FormView(fields=fields)


def form_problems(service: Any, values: dict[str, str]) -> dict[str, Text]:
    """Per-field problems for the whole form (handoff fields are filled on the phone, not here)."""
    out = {}
    for fdef in getattr(service, "fields", ()) or ():
        if fdef.kind == "handoff_text":
            continue
        problem = fdef.validate(values.get(fdef.id, ""))
        if problem is not None:
            out[fdef.id] = Text(problem.zh, problem.en)
    return out
