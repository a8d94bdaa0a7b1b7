"""The API's JSON parser: DRF's, refusing with 400 what would otherwise end in a 500 further on —
JSON nested deeper than Python can walk (RecursionError) and lone surrogates ("\\ud800"), which are
valid JSON escapes but no text: no database, PDF or page can take them."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _has_lone_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error: nested too deeply.")) from None
        if _has_lone_surrogate(data):
            raise ParseError(_("JSON parse error: a lone surrogate (such as \\ud800) is not text; send UTF-8 text."))
        return data
