"""Identity numbers: resident ID (GB 11643) and unified social credit code (GB 32100).

ID numbers are personal data: validated here, shown masked, looked up by a keyed hash.
"""

import datetime
import hashlib
import hmac
import logging
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


# The province-level codes of GB/T 2260 an ID number may begin with (LEGAL.md §5); 71 is Taiwan,
# 81/82/83 the residence permits of Hong Kong, Macao and Taiwan residents.
PROVINCE_CODES = frozenset(
    [
        *map(str, range(11, 16)),
        *map(str, range(21, 24)),
        *map(str, range(31, 38)),
        *map(str, range(41, 47)),
        *map(str, range(50, 55)),
        *map(str, range(61, 66)),
        "71",
        "81",
        "82",
        "83",
    ]
)
_ASCII_DIGITS = frozenset("0123456789")
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def plain(value: str | None) -> str:
    """One spelling of a typed identifier: NFKC (full-width ４４０１ → 4401, ² → 2), no spaces
    around it, upper case. Digits of other scripts (٤٤٠١) stay what they are and fail the check."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def _ascii_digits(value: str) -> bool:
    return bool(value) and all(c in _ASCII_DIGITS for c in value)


def normalize_id_number(value: str | None, *, today: datetime.date | None = None) -> str:
    """Validate a resident ID number (GB 11643, LEGAL.md §5) and return its one spelling;
    ValidationError otherwise. The one rule for every path that takes an ID number."""
    value = plain(value)
    if len(value) != 18 or not _ascii_digits(value[:17]) or not (value[17] in _ASCII_DIGITS or value[17] == "X"):
        raise ValidationError(_("A resident ID number has 18 characters: 17 digits and a digit or X."), code="format")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _(
                "An ID number begins with a province-level code (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, "
                "81–83); %(code)s is none."
            )
            % {"code": value[:2]},
            code="province",
        )
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("The date of birth in this ID number does not exist."), code="birth_date") from None
    if not EARLIEST_BIRTH <= birth <= (today or timezone.localdate()):
        raise ValidationError(
            _("The date of birth in this ID number (%(day)s) is in the future or before 1900.")
            % {"day": birth.isoformat()},
            code="birth_date",
        )
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("The check digit of this ID number is wrong; please check the number."), code="check")
    return value


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str | None) -> str:
    """Validate a unified social credit code (GB 32100, LEGAL.md §5) and return its one spelling."""
    value = plain(value)
    if len(value) != 18 or any(c not in USCC_ALPHABET for c in value):
        raise ValidationError(
            _("A unified social credit code has 18 characters from 0-9 and A-Y without I, O, S, V, Z."),
            code="format",
        )
    if not _ascii_digits(value[2:8]) or value[2:4] not in PROVINCE_CODES:
        raise ValidationError(
            _("Characters 3–8 of a credit code are the 6-digit code of a region (such as 440100)."),
            code="division",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this credit code is wrong; please check the code."), code="check"
        )
    return value


class DocumentKind(models.TextChoices):
    """The identity document a person is recorded by (LEGAL.md §5): the resident ID, or for a
    person without one the document's kind and number."""

    RESIDENT_ID = "resident_id", gettext_lazy("resident ID card (居民身份证)")
    PASSPORT = "passport", gettext_lazy("passport (护照)")
    HK_MACAO_PERMIT = (
        "hk_macao_permit",
        gettext_lazy("Mainland travel permit for Hong Kong and Macao residents (港澳居民来往内地通行证)"),
    )
    TAIWAN_PERMIT = (
        "taiwan_permit",
        gettext_lazy("Mainland travel permit for Taiwan residents (台湾居民来往大陆通行证)"),
    )
    FOREIGN_RESIDENCE = "foreign_residence", gettext_lazy("foreign permanent resident ID card (外国人永久居留身份证)")


# The label a paper prints before the number.
DOCUMENT_LABELS = {
    DocumentKind.RESIDENT_ID: "居民身份证",
    DocumentKind.PASSPORT: "护照",
    DocumentKind.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    DocumentKind.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    DocumentKind.FOREIGN_RESIDENCE: "外国人永久居留身份证",
}
_OTHER_DOCUMENT = re.compile(r"[A-Z0-9]{5,20}")


def normalize_document(kind: str, number: str | None) -> str:
    """The one spelling of an identity document's number, by its kind; ValidationError otherwise.
    A resident ID follows GB 11643; the other documents are 5–20 letters and digits (spaces and
    hyphens people type between groups are dropped)."""
    if kind == DocumentKind.RESIDENT_ID:
        return normalize_id_number(number)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Unknown identity document kind %(kind)s.") % {"kind": kind}, code="kind")
    value = re.sub(r"[\s\-]", "", plain(number))
    if len(value) == 18:
        try:
            normalize_id_number(value)
        except ValidationError:
            pass
        else:
            raise ValidationError(
                _("This is a resident ID number: record the person by the resident ID card."), code="resident_id"
            )
    if not _OTHER_DOCUMENT.fullmatch(value):
        raise ValidationError(
            _("A document number has 5 to 20 letters A–Z and digits 0–9."),
            code="format",
        )
    return value


def document_hash(kind: str, number: str) -> str:
    """The keyed hash a person is found by: the resident ID's own hash (so every existing lookup
    by ID number holds), other documents with their kind, so a passport never meets an ID."""
    return id_hash(number if kind == DocumentKind.RESIDENT_ID else f"{kind}:{number}")


def mask_id_number(value: str) -> str:
    """440***********0014: the province prefix and the last four only; a shorter document
    number (a passport's E12345678) shows its last three only."""
    if len(value) < 15:
        return "*" * (len(value) - 3) + value[-3:] if value else ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def id_hash(value: str) -> str:
    return hmac.new(settings.ID_HASH_KEY.encode(), value.upper().encode(), hashlib.sha256).hexdigest()


# A resident ID number (18 characters, or the old 15 digits) anywhere in a text: alone, inside a
# certificate number (T440…, D440…: a letter before it) or written against Chinese text. No `\b`:
# Python counts CJK characters as word characters, so `号440100198503120172，` has no boundary.
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9])(\d{17}[\dX]|\d{15})(?![0-9])", re.IGNORECASE)
# A unified social credit code (GB 32100): 18 characters, a 6-digit division code at 3–8.
CREDIT_CODE_IN_TEXT = re.compile(
    r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])", re.IGNORECASE
)
PLACEHOLDER = "＊＊＊"
# In a public text a number may also be written in groups ("4401 0019 8503 1201 72",
# "440100-19850312-0172"): any run of 15 or more digits (an X may end it) with single spaces or
# hyphens between them goes, and so does any 18-character run of the credit-code alphabet with a
# 6-digit division code, whatever stands before it. Removing a phone number too is the lesser harm.
GROUPED_NUMBER = re.compile(r"(?<![0-9])\d(?:[ \-‐‑–]?\d){13,}(?:[ \-‐‑–]?[\dX])?(?![0-9])", re.IGNORECASE)
CREDIT_CODE_ANYWHERE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])", re.IGNORECASE)
# Characters that hide a number from the patterns without showing on the page.
# Full-width digits and letters (４４０１…, Ｘ) read as ASCII; Chinese punctuation stays as written.
PLAIN_NUMBERS: dict[int, int | None] = {
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad")),
    **{c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]},
}


def pseudonym(name: str) -> str:
    """张三 → 张某: how a published text names a person."""
    return name[:1] + "某" if name else ""


def redact(value: Any, *, public: bool = False, names: Mapping[str, str] | None = None) -> Any:
    """The one redaction of identity numbers in text, for every path that shows or logs text.

    By default ID numbers are masked as everywhere else (440***********0172, a certificate
    number keeps its letter): error messages quote what was sent, and a number typed into the
    wrong field must not come back in clear. With `public=True` (texts for anyone, such as
    typical cases) ID numbers and credit codes are removed outright, and each name in `names`
    is replaced by what it maps to. Walks the dicts and lists of an error body.
    """
    if isinstance(value, str):
        return _redact_text(value, public, names or {})
    if isinstance(value, dict):
        return {k: redact(v, public=public, names=names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, public=public, names=names) for v in value]
    return value


def _redact_text(text: str, public: bool, names: Mapping[str, str]) -> str:
    for name in sorted((n for n in names if n), key=len, reverse=True):  # 张三丰 before 张三
        text = text.replace(name, names[name])
    if not public:
        return ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group(1)), text)
    text = text.translate(PLAIN_NUMBERS)
    return CREDIT_CODE_ANYWHERE.sub(PLACEHOLDER, GROUPED_NUMBER.sub(PLACEHOLDER, text))


_QUERY_STRING = re.compile(r"\?[^\s\"]*")


def without_query_string(value: str) -> str:
    """/api/v1/cases/?q=440106… → /api/v1/cases/: a query may hold a name or an ID number."""
    return _QUERY_STRING.sub("", value)


class NoQueryStrings(logging.Filter):
    """The access log's lines with paths only (issue 17 §10): daphne's runserver logs a dict whose
    "path" is the URI with its query; Django's runserver the request line ("GET /x?q=… HTTP/1.1")."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        path = args.get("path") if isinstance(args, Mapping) else None
        if isinstance(args, Mapping) and isinstance(path, str):
            record.args = {**args, "path": without_query_string(path)}
        elif isinstance(args, tuple):
            record.args = tuple(without_query_string(a) if isinstance(a, str) else a for a in args)
        return True


_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{5,22}[0-9]")


_NOT_IN_A_NAME = re.compile(r"[<>&\"'=;{}\[\]\\/|`$%#@^*+~]|[\x00-\x1f\x7f]")


def validate_person_name(value: str) -> None:
    """A person's name as it is signed on a form (张三, 欧阳·娜娜, John Smith): no markup or symbols,
    which would print literally on the official paper."""
    if _NOT_IN_A_NAME.search(plain(value)):
        raise ValidationError(_("Write a person's name only, without symbols or markup."))


_CERTIFICATE_NUMBER = re.compile(r"[^\W_][\w\-]{2,39}")


def certificate_number_key(value: str) -> str:
    """One spelling of a certificate number: NFKC, upper case, no spaces. A number holds letters and
    digits (hyphens allowed) — forged ones too; anything else is refused with a field message."""
    key = "".join(plain(value).split())
    if key and not _CERTIFICATE_NUMBER.fullmatch(key):
        raise ValidationError(
            {"certificate_number": [_("A certificate number holds letters and digits only (hyphens allowed).")]}
        )
    return key


def validate_phone(value: str) -> None:
    """A telephone number as offices write one: digits with spaces, hyphens, brackets or a leading +
    (020-83331234, 13800138000, (0751) 8888888), 7 to 20 digits; full-width digits read as ASCII."""
    text = plain(value).strip()
    digits = sum(ch.isdigit() for ch in text)
    if not _PHONE.fullmatch(text) or not 7 <= digits <= 20:
        raise ValidationError(_("Enter a telephone number, e.g. 020-83331234 or 13800138000."))
