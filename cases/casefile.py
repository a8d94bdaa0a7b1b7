"""案卷: a case's file as one PDF for archiving, in the house style of core.pdf.

封面 (the case, the party, the agency and its handlers, the dates, the status, and the lines of
立卷 and 归档), 卷内文件目录 (each paper with its number, date and first page), then the papers
themselves — the penalty papers (workflows.penalty_papers) and the referral papers
(workflows.documents) — the list of the evidence files, and the 办案记录 (the timeline).

The papers are drawn into this file by their own functions, not merged from their PDFs (no PDF
library that merges pages is a dependency): each paper's function runs on a copy of its module's
namespace in which `build` collects the flowables instead of making a PDF, so every paper here is
the paper the single download gives, in the same words, and no other request is affected. The
evidence files (photographs, scanned PDFs) are listed with their SHA-256, not reproduced.

Whoever may see the case (cases.access.get_case_for) may print its file; they see in it what they
see on the case page: the referrals they see, the penalties of the persons they see, the events
they may read, and ID numbers in full or masked as identities_shown decides. Each printing is
recorded (AuditView), and so is every ID number printed in full (IdNumberView).
"""

import datetime
import io
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.access import AuthenticatedHttpRequest
from core.pdf import CELL, FONT, PLAIN, SMALL, TITLE, Text
from jobs import runner
from jobs.kinds import Kind
from oversight.audit import record_view, timeline_rows
from workflows import documents
from workflows.api import referral_queryset
from workflows.penalty_papers import PENALTY_PAPERS

from .access import Identities, events_visible_to, get_case_for, identities_shown
from .kinds import PENALTY_PAPER_TITLES
from .models import Case, IdNumberView, Penalty

MARGIN = 25 * mm
WIDTH = A4[0] - 2 * MARGIN


def _day(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def collecting(render: Callable[..., bytes]) -> tuple[Callable[..., bytes], list[Flowable]]:
    """`render` (a paper's function) as a function that puts the paper's flowables in the list it
    returns with it instead of building a PDF. The functions of the paper's module are copied onto
    a copy of the module's namespace where `build` collects (the helpers a paper calls build too),
    so the module itself is left as it is for every other caller."""
    module = sys.modules[render.__module__]
    collected: list[Flowable] = []
    namespace = dict(vars(module))
    for name, value in vars(module).items():
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            copy = types.FunctionType(value.__code__, namespace, value.__name__, value.__defaults__, value.__closure__)
            copy.__kwdefaults__ = value.__kwdefaults__
            namespace[name] = copy

    def build(flowables: list[Flowable], *args: Any, **kwargs: Any) -> bytes:
        collected.extend(flowables)
        return b""

    namespace["build"] = build
    return namespace[render.__name__], collected


@dataclass
class Paper:
    """One paper of the file: its line in the contents, and its flowables."""

    title: str
    number: str = ""
    date: str = ""
    flowables: list[Flowable] = field(default_factory=list)
    key: str = ""


class Mark(Flowable):
    """Where a paper starts: takes no room, notes its page for the contents, and puts the paper in
    the PDF's outline (bookmarks)."""

    def __init__(self, key: str, title: str, pages: dict[str, int]) -> None:
        super().__init__()
        self.key, self.title, self.pages = key, title, pages

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.pages[self.key] = self.canv.getPageNumber()
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=0)


def _paper_flowables(render: Callable[..., bytes], subject: Any, shown: Identities, title: str) -> list[Flowable]:
    drawn, flowables = collecting(render)
    drawn(subject, shown)
    # A paper whose function no longer builds through `build` is named here rather than left out.
    return flowables or [Text(title, TITLE), Text("（本文书另行打印附卷。）", PLAIN)]


PENALTY_NUMBERS = {
    "notice": ("notice_number", "approved_at"),
    "notice_receipt": ("notice_number", "notice_served_on"),
    "hearing_notice": ("hearing_notice_number", "hearing_notified_on"),
    "hearing_notice_receipt": ("hearing_notice_number", "hearing_notified_on"),
    "decision": ("decision_number", "decided_at"),
    "decision_receipt": ("decision_number", "decision_served_on"),
}
REFERRAL_DATES = {
    "letter": "transmitted_at",
    "receipt": "received_at",
    "acceptance_notice": "accepted_at",
    "reconsideration_decision": "reconsidered_at",
    "explanation_request": "explanation_requested_at",
    "explanation": "explained_at",
    "filing_order": "filing_ordered_at",
    "outcome_notice": "outcome_at",
    "supplement_notice": "supplement_requested_at",
    "rejection_notice": "rejected_at",
    "forward_notice": "forwarded_at",
    "decline_notice": "declined_at",
}


@dataclass
class Shown:
    """What the reader sees, and how many ID numbers the file prints in full (for IdNumberView)."""

    plain: Identities
    signing: Identities
    full: int = 0

    def count(self, numbers: list[str]) -> None:
        self.full += sum(1 for n in numbers if n and "*" not in n)


def penalty_papers(case: Case, shown: Shown) -> list[Paper]:
    papers = []
    penalties = (
        Penalty.objects.filter(case=case)
        .select_related("case__agency__region", "legal_basis", "person", "hearing_officer", "suspension_order")
        .order_by("proposed_at", "pk")
    )
    for penalty in penalties:
        if not shown.plain.sees(penalty.person_id):
            continue
        for name in penalty.papers:
            paper = PENALTY_PAPERS[name]
            ids = shown.signing if paper.names_party else Identities()
            if paper.names_party:
                shown.count([shown.signing.of(penalty.person) if penalty.person else shown.signing.of_party(case)])
            number_field, date_field = PENALTY_NUMBERS.get(name, ("", ""))
            papers.append(
                Paper(
                    title=str(PENALTY_PAPER_TITLES[name]),
                    number=getattr(penalty, number_field, "") if number_field else "",
                    date=_day(getattr(penalty, date_field, None)) if date_field else "",
                    flowables=_paper_flowables(paper.render, penalty, ids, paper.title),
                )
            )
    return papers


def referral_papers(case: Case, user: Any, shown: Shown) -> list[Paper]:
    papers = []
    referrals = referral_queryset(user).filter(case=case).order_by("created_at", "pk")
    for referral in referrals:
        for name, paper in documents.PAPERS.items():
            if not paper.exists(referral):
                continue
            # Only what was issued is filed: a letter of a proposal refused, never sent, is no
            # document of the case (the page offers it as a draft while the proposal waits).
            issued = REFERRAL_DATES.get(name)
            if issued and getattr(referral, issued, None) is None:
                continue
            ids = shown.signing if paper.names_subjects else Identities()
            if paper.names_subjects:
                numbers = [shown.signing.of(p) for p in referral.persons.all()]
                if referral.includes_party and case.party_id_number:
                    numbers.append(shown.signing.of_party(case))
                shown.count(numbers)
            title = paper.title(referral)
            papers.append(
                Paper(
                    title=title,
                    number=referral.number if name == "letter" else "",
                    date=_day(getattr(referral, REFERRAL_DATES.get(name, ""), None) or None),
                    flowables=_paper_flowables(paper.render, referral, ids, title),
                )
            )
    return papers


def _grid(rows: list[list[str]], widths: list[float], style: Any = CELL, header: bool = True) -> Table:
    table = Table([[Text(str(cell), style) for cell in row] for row in rows], colWidths=widths, repeatRows=int(header))
    commands: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, "#333333"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"))
    table.setStyle(TableStyle(commands))
    return table


def evidence_paper(case: Case) -> Paper | None:
    files = list(case.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    if not files:
        return None
    rows = [["序号", "文件名", "大小（字节）", "上传时间", "上传人", "SHA-256"]]
    for n, f in enumerate(files, 1):
        local = timezone.localtime(f.uploaded_at).strftime("%Y-%m-%d %H:%M")
        rows.append([str(n), f.name, str(f.size), local, _name(f.uploaded_by), f.sha256])
    flowables: list[Flowable] = [
        Text("证据材料清单", TITLE),
        Text(f"案号：{case.number}。以下证据文件以电子形式随卷保存，以 SHA-256 值核对。", PLAIN),
        Spacer(1, 4 * mm),
        _grid(rows, [w * WIDTH for w in (0.07, 0.25, 0.12, 0.16, 0.12, 0.28)], SMALL),
    ]
    return Paper(title="证据材料清单", date=_day(files[-1].uploaded_at), flowables=flowables)


def timeline_paper(case: Case, user: Any, shown: Shown) -> Paper:
    rows = timeline_rows(case, events_visible_to(user, case), shown.plain)
    width = landscape(A4)[0] - 2 * 15 * mm
    # Each column as wide as its longest text asks (within bounds): the content column takes the most.
    weights = [min(max(max(len(str(row[i])) for row in rows), 3), 40) for i in range(len(rows[0]))]
    flowables: list[Flowable] = [
        NextPageTemplate("landscape"),
        PageBreak(),
        Text(f"{case.number} 办案记录", TITLE),
        _grid([[str(c) for c in row] for row in rows], [width * w / sum(weights) for w in weights], SMALL),
    ]
    return Paper(title="办案记录", flowables=flowables)


def cover(case: Case, user: Any, shown: Shown, pages: dict[str, int], now: datetime.datetime) -> list[Flowable]:
    party_id = shown.plain.of_party(case) if case.party_id_number else ""
    findings = "、".join(dict.fromkeys(str(f.get_kind_display()) for f in case.findings.all()))
    party = f"{case.party_name}（{case.get_party_kind_display()}）"
    if case.party_credit_code:
        party += f"\n统一社会信用代码：{case.party_credit_code}"
    if party_id:
        party += f"\n证件号码：{party_id}"
    rows = [
        ["案号", case.number],
        ["案由", findings or shown.plain.data(case.summary)[:80]],
        ["当事人", party],
        ["承办机关", case.agency.name],
        ["承办人", "、".join(_name(h) for h in case.handlers.all()) or "—"],
        ["案件来源", str(case.get_source_display())],
        ["受理日期", _day(case.created_at)],
        ["立案日期", _day(case.opened_at) or "—"],
        ["结案日期", _day(case.closed_at) or "—"],
        ["案件状态", str(case.get_status_display())],
        ["卷内文件", f"{pages.get('#papers', 0)}件，本卷共{pages.get('#total', 0) or '__'}页"],
        ["立卷人", f"{_name(user)}（{_day(now)} {timezone.localtime(now):%H:%M}立卷）"],
        ["归档", "归档日期：____年__月__日　归档号：________　保管期限：________"],
    ]
    label = 0.2 * WIDTH
    return [
        Spacer(1, 20 * mm),
        Text(case.agency.name, TITLE),
        Text("行政执法案卷", TITLE),
        Spacer(1, 10 * mm),
        _grid(rows, [label, WIDTH - label], PLAIN, header=False),
        NextPageTemplate("portrait"),
        PageBreak(),
    ]


def contents(papers: list[Paper], pages: dict[str, int]) -> list[Flowable]:
    rows = [["序号", "文书名称", "文号", "日期", "页号"]]
    for n, paper in enumerate(papers, 1):
        rows.append([str(n), paper.title, paper.number, paper.date, str(pages.get(paper.key, "")) or "—"])
    widths = [w * WIDTH for w in (0.07, 0.33, 0.3, 0.2, 0.1)]
    return [Text("卷内文件目录", TITLE), _grid(rows, widths)]


class CaseFileDoc(BaseDocTemplate):
    """Portrait pages for the cover, the contents and the papers; landscape ones for the timeline.
    Every page but the cover carries the case number and its page number."""

    def __init__(self, buffer: io.BytesIO, case: Case, pages: dict[str, int]) -> None:
        super().__init__(buffer, pagesize=A4, title=f"{case.number} 案卷", author=case.agency.name)
        self.case, self.pages = case, pages
        portrait = Frame(MARGIN, MARGIN, WIDTH, A4[1] - 2 * MARGIN, id="portrait")
        wide, high = landscape(A4)
        across = Frame(15 * mm, 15 * mm, wide - 30 * mm, high - 30 * mm, id="landscape")
        self.addPageTemplates(
            [
                PageTemplate("cover", [portrait], pagesize=A4),
                PageTemplate("portrait", [portrait], onPage=self.number, pagesize=A4),
                PageTemplate("landscape", [across], onPage=self.number, pagesize=landscape(A4)),
            ]
        )

    def number(self, canvas: Canvas, doc: Any) -> None:
        width = canvas._pagesize[0]  # type: ignore[attr-defined]  # this page's size (portrait or landscape)
        canvas.saveState()
        canvas.setFont(FONT, 9)
        total = self.pages.get("#total")
        canvas.drawString(15 * mm, 10 * mm, f"{self.case.number} 案卷")
        canvas.drawRightString(width - 15 * mm, 10 * mm, f"第{doc.page}页" + (f" 共{total}页" if total else ""))
        canvas.restoreState()


def casefile_pdf(case: Case, user: Any) -> tuple[bytes, int]:
    """The case file as `user` may read it, and how many ID numbers it prints in full."""
    now = timezone.now()
    shown = Shown(identities_shown(user, case), identities_shown(user, case, signing=True))
    with translation.override(settings.LANGUAGE_CODE):  # an official file is in Chinese, whoever prints it
        papers = penalty_papers(case, shown) + referral_papers(case, user, shown)
        evidence = evidence_paper(case)
        if evidence:
            papers.append(evidence)
        papers.append(timeline_paper(case, user, shown))
        for n, paper in enumerate(papers, 1):
            paper.key = f"paper-{n}"
        if case.party_id_number:
            shown.count([shown.plain.of_party(case)])
        pages: dict[str, int] = {"#papers": len(papers)}
        body: bytes = b""
        # Laid out until the contents name the pages the papers fall on (the contents' own length
        # does not change with the numbers: twice is enough, a third pass only if a row grew).
        for _ in range(3):
            before = dict(pages)
            story = cover(case, user, shown, pages, now) + contents(papers, pages)
            for paper in papers:
                if paper.flowables and isinstance(paper.flowables[0], NextPageTemplate):
                    story += paper.flowables[:2] + [Mark(paper.key, paper.title, pages)] + paper.flowables[2:]
                else:
                    story += [NextPageTemplate("portrait"), PageBreak(), Mark(paper.key, paper.title, pages)]
                    story += paper.flowables
            for flowable in story:  # what a pass notes on a flowable it moved to the next page
                flowable.__dict__.pop("_postponed", None)
            buffer = io.BytesIO()
            doc = CaseFileDoc(buffer, case, pages)
            doc.build(story)
            pages["#total"] = doc.page
            body = buffer.getvalue()
            if pages == before:
                break
        return body, shown.full


def casefile_name(case: Case) -> str:
    return f"{case.number}-案卷.pdf"


def record_printing(user: Any, case: Case, full: int) -> None:
    """A printing of the file is a reading of the case, and of the ID numbers it prints in full."""
    record_view(user, reverse("cases:case:casefile", args=[case.pk]), case)
    IdNumberView.record(user, case, IdNumberView.Via.PDF, full)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def casefile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """/cases/case/<pk>/casefile.pdf: the 案卷 of a case, for whoever may see the case. A POST has it
    made by a job (the case page's button: a long case takes a while to lay out) and goes to the
    job's page; a GET answers the file itself."""
    case = get_case_for(request.user, pk)
    if request.method == "POST":
        job = runner.start(Kind.CASEFILE, request.user, params={"case": case.pk})
        return redirect(job)
    body, full = casefile_pdf(case, request.user)
    record_printing(request.user, case, full)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, casefile_name(case)) or "inline"
    return response
