"""The IdCard record: what one read of a card yields, how it is masked for display, and how it is wiped.

Personal data lives only in these objects: ``repr()`` shows none of it, ``masked()`` is what may be shown
or logged (the one rule of :mod:`kiosk.masking`), and ``wipe()`` drops every field (the photo buffers are zeroed in place; Python strings cannot
be overwritten, so wiping drops the last reference this object holds and the session must drop its own).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from kiosk.masking import mask_address, mask_date, mask_name, mask_number

#: JSON keys of ``kiosk device idcard read --json`` and of :meth:`IdCard.to_dict`, in order
PUBLIC_KEYS = ("card_type", "name", "english_name", "sex", "nation", "birth_date", "address", "id_number",
               "issuer", "valid_from", "valid_to", "pass_number", "issue_count", "nationality",
               "id_number_valid")

CARD_TYPES = ("resident", "J", "I", "Y")


@dataclass(eq=False)
class IdCard:
    """One card as read. Dates are ``YYYY-MM-DD`` strings; ``valid_to`` may be ``长期``."""

    card_type: str  # resident | J | I | Y
    name: str | None = None  # Chinese name (I: the Chinese name printed on the card, may be empty)
    english_name: str | None = None  # I / Y
    sex: str | None = None  # 男 / 女 / 未知 / 未说明
    nation: str | None = None  # resident only, e.g. 汉
    birth_date: str | None = None
    address: str | None = None  # resident / J
    id_number: str | None = None  # citizen number, or permit number for I / Y
    issuer: str | None = None  # issuing authority (I: authority code)
    valid_from: str | None = None
    valid_to: str | None = None
    pass_number: str | None = None  # J: 通行证号码
    issue_count: str | None = None  # J: 签发次数; Y: reissue count
    nationality: str | None = None  # I / Y: GB/T 2659 alpha-3
    id_number_valid: bool | None = None
    photo_wlt: bytearray | None = field(default=None)  # 1024 bytes, opaque WLT
    photo_bmp: bytearray | None = field(default=None)  # only when a vendor decoder is configured
    card_version: str | None = None  # I: card version

    def __repr__(self) -> str:  # never personal data, whatever logs it
        return (f"IdCard(card_type={self.card_type!r}, id_number_valid={self.id_number_valid}, "
                f"photo={'yes' if self.photo_wlt else 'no'}, wiped={self.wiped})")

    __str__ = __repr__

    @property
    def wiped(self) -> bool:
        return self.card_type == "" and self.name is None and self.id_number is None

    def to_dict(self) -> dict[str, Any]:
        """Every public field, unmasked (for ``--show-personal-data`` and the backend auth call)."""
        return {key: getattr(self, key) for key in PUBLIC_KEYS}

    def masked(self) -> dict[str, Any]:
        """The public fields with personal data masked; safe for screens staff see and for logs."""
        out = self.to_dict()
        out["name"] = mask_name(self.name)
        out["english_name"] = mask_name(self.english_name)
        out["birth_date"] = mask_date(self.birth_date)
        out["address"] = mask_address(self.address)
        out["id_number"] = mask_number(self.id_number)
        out["pass_number"] = mask_number(self.pass_number, keep=2)
        return out

    def wipe(self) -> None:
        """Zero the photo buffers and drop every field."""
        for buf in (self.photo_wlt, self.photo_bmp):
            if buf is not None:
                buf[:] = bytes(len(buf))
        for f in fields(self):
            setattr(self, f.name, "" if f.name == "card_type" else None)
