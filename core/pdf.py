"""The house style of every PDF Xianjie prints (移送书, 回执, the monthly form, case timelines):
reportlab with its built-in CJK font STSong-Light, and the paragraph styles they share."""

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=1, spaceAfter=6 * mm)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, firstLineIndent=24)
PLAIN = ParagraphStyle("plain", fontName=FONT, fontSize=12, leading=22)
RIGHT = ParagraphStyle("right", fontName=FONT, fontSize=12, leading=22, alignment=2)


def escape(text: str) -> str:
    """Text for a reportlab Paragraph, which reads a little markup."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
