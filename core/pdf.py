"""The house style of every PDF Xianjie prints (移送书, 回执, notices, the monthly form, case
timelines): reportlab with an embedded CJK font, and the paragraph styles they share.

The font is WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0 / GPL-3.0 with the font exception), installed
as a Python package dependency (paperang-p2-fonts-cjk), never looked up on the system: every
reader sees the same glyphs, and a subset of it is embedded in each file. It is a TrueType font,
which reportlab embeds (the OpenType/CFF Noto and Source Han fonts on PyPI it cannot).

Every style wraps as Chinese text wraps (`wordWrap="CJK"`: a line may break between any two
characters, but a run of Latin letters and digits such as a case or ID number is carried whole to
the next line), so no text runs over a margin or a cell at any length.
"""

import importlib.resources
import re
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

FONT = "WenQuanYiMicroHei"
FONT_FILE = importlib.resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=1, spaceAfter=6 * mm, wordWrap="CJK")
BODY = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, firstLineIndent=24, wordWrap="CJK")
PLAIN = ParagraphStyle("plain", fontName=FONT, fontSize=12, leading=22, wordWrap="CJK")
RIGHT = ParagraphStyle("right", fontName=FONT, fontSize=12, leading=22, alignment=2, wordWrap="CJK")
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=10.5, leading=15, wordWrap="CJK")
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")


def escape(text: str) -> str:
    """Text for a reportlab Paragraph, which reads a little markup."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Chinese line-breaking rules (禁则, GB/T 15834 and the layout of official documents): a line never
# starts with closing punctuation, never ends with an opening one, and a number is never split —
# digits with the unit that follows them (2026年, 12月, 3日, 5份) and any run of Latin letters, digits
# and the signs inside numbers and addresses stay together. ReportLab's CJK wrapping hangs a closing
# mark into the margin or breaks after an opening bracket, so the lines are broken here.
NOT_AT_LINE_START = frozenset("，。、；：！？）》」』】〕〉”’…—·%‰℃,.;:!?)]}")
NOT_AT_LINE_END = frozenset("（《「『【〔〈“‘([{")
_UNIT = frozenset("年月日时分秒号份人页条款项元")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/:_@%#=&?+~]*[" + "".join(sorted(_UNIT)) + r"]?|\s+|.", re.DOTALL)


_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/:_@%#=&?+~]*")


def break_lines(text: str, font: str, size: float, width: float, first_indent: float = 0) -> list[str]:
    """`text` (no markup) as the lines it takes at `width` points, by the rules above."""
    units: list[str] = []
    for unit in _WORD.findall(text):
        # A closing mark joins what stands before it, an opening one what follows: they move together.
        joins = units and not unit.isspace() and (unit[0] in NOT_AT_LINE_START or units[-1][-1] in NOT_AT_LINE_END)
        if joins or (units and units[-1].endswith("〕") and unit[:1].isdigit()):  # 〔2026〕1234号 is one number
            units[-1] += unit
        else:
            units.append(unit)

    def w(unit: str) -> float:
        return pdfmetrics.stringWidth(unit, font, size)

    lines: list[str] = [""]
    room = width - first_indent
    queue = list(reversed(units))
    while queue:
        unit = queue.pop()
        if w(lines[-1] + unit) <= room + 0.01:
            lines[-1] += unit
            continue
        if unit.isspace():  # a space at the end of a line is dropped
            continue
        if lines[-1]:
            lines.append("")
            room = width
        if w(unit) <= room + 0.01:
            lines[-1] = unit
            continue
        word = _NUMBER.match(unit)
        if word and word.end() < len(unit) and w(word.group()) <= room + 0.01:
            # A number that fits a line stays whole, even if the mark after it then opens the next.
            lines[-1] = word.group()
            queue.append(unit[word.end() :])
            continue
        for ch in unit:  # longer than a line (a URL): broken by characters, the one place a word breaks
            if lines[-1] and w(lines[-1] + ch) > room + 0.01:
                line, cut = lines[-1], len(lines[-1])
                if ch in NOT_AT_LINE_START:  # the closing marks before it, and one character, go down too
                    cut -= 1
                    while cut > 1 and line[cut] in NOT_AT_LINE_START:
                        cut -= 1
                lines[-1] = line[:cut]
                lines.append(line[cut:])
                room = width
            lines[-1] += ch
    return [line.strip() for line in lines if line.strip()]


class Text(Paragraph):
    """A paragraph of plain text broken into lines by `break_lines` at the width it is given."""

    def __init__(self, text: str | None, style: ParagraphStyle, *args: Any, **kwargs: Any) -> None:
        super().__init__(escape(text) if text is not None else "", style, *args, **kwargs)
        self._plain = text if not kwargs.get("frags") else None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._plain is not None:
            plain, style = self._plain, self.style
            width = availWidth - style.leftIndent - style.rightIndent
            lines = [
                line
                for i, part in enumerate(plain.split("\n"))
                for line in break_lines(
                    part, style.fontName, style.fontSize, width, style.firstLineIndent if i == 0 else 0
                )
            ]
            Paragraph.__init__(self, "<br/>".join(escape(line) for line in lines), style)
            self._plain = plain
        return super().wrap(availWidth, availHeight)
