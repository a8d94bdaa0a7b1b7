"""Files people upload and the app keeps (evidence, stamped scans, returns): checked by size and by
content (never by name), hashed while read, stored under a random name outside static, and read
back only if they still hash to what was recorded."""

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from .errors import Code, Conflict

PDF = {b"%PDF-": "application/pdf"}
PDF_OR_IMAGE = PDF | {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    content: ContentFile  # type: ignore[type-arg]  # generic only in the stubs
    size: int
    sha256: str


def check_upload(upload: Any, *, signatures: dict[bytes, str], limit: int, field: str = "file") -> Checked:
    """The upload as kept: its type read off its first bytes, its size within `limit`, its hash."""
    if upload is None:
        raise ValidationError({field: [_("Choose a file to upload.")]})
    if upload.size > limit:
        raise ValidationError({field: [_("A file may be at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)}]})
    head = upload.read(16)
    upload.seek(0)
    content_type = next((t for sig, t in signatures.items() if head.startswith(sig)), None)
    if content_type is None:
        kinds = "、".join(sorted({t.split("/")[1].upper() for t in signatures.values()}))
        raise ValidationError({field: [_("Only these files are accepted: %(kinds)s.") % {"kinds": kinds}]})
    digest, data = hashlib.sha256(), bytearray()
    for chunk in upload.chunks():
        digest.update(chunk)
        data.extend(chunk)
    return Checked(str(upload.name)[-200:], content_type, ContentFile(bytes(data)), len(data), digest.hexdigest())


def keep(field: FieldFile, checked: Checked) -> None:
    """Store the checked upload under a random name (the model is saved by the caller)."""
    field.save(secrets.token_hex(16), checked.content, save=False)


def read_kept(field: FieldFile, sha256: str) -> bytes:
    """The file's bytes, only if they still hash to what was recorded at upload."""
    with field.open("rb") as handle:
        data: bytes = handle.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Conflict(
            Code.INTEGRITY, _("This file no longer matches the fingerprint taken at upload; it was changed on disk.")
        )
    return data
