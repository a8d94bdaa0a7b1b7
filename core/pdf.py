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

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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
