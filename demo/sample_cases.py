"""Realistic sample cases for the demo and for tests, built through the real actions."""

import datetime
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model

from agencies.models import Region
from cases import actions
from cases.models import Case, local_today
from core.identity import USCC_ALPHABET, id_check_digit, uscc_check_char
from workflows import actions as referrals

from . import penalties
from .data import CITIES

SAMPLE_MARK = "【示例】"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "华"]
EMPLOYERS = [
    "建筑工程有限公司",
    "电气安装有限公司",
    "钢结构有限公司",
    "物业管理有限公司",
    "机械制造有限公司",
    "焊接工程有限公司",
]


def make_id_number(region: str, birth: datetime.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_digit(first17)


def make_credit_code(region: str, seq: int) -> str:
    """A well-formed unified social credit code (91 = enterprise) for `region`."""
    # seq in base 31, one digit a position (each shifted so the codes do not look alike): unique for
    # every seq below 31**9.
    body = "91" + region + "".join(USCC_ALPHABET[((seq // 31**i) + i * 13) % 31] for i in range(9))
    return body + uscc_check_char(body)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def create_sample_cases(n: int, *, seed: int = 2018, progress: Callable[[str], None] | None = None) -> int:
    """Create up to `n` sample cases in total (idempotent: counts those already made)."""
    existing = Case.objects.filter(summary__startswith=SAMPLE_MARK).count()
    rng = random.Random(seed + existing)  # noqa: S311 - demo data, not secrets
    users = {u.username: u for u in get_user_model().objects.filter(username__contains=".")}
    made = 0
    for i in range(existing, n):
        code, city, slug = CITIES[i % len(CITIES)]
        officer1, officer2, head = (users[f"{slug}.{s}"] for s in ("officer1", "officer2", "head"))
        region = Region.objects.get(code=code)
        employer = city[:-1] + rng.choice("东南西北中新") + rng.choice("华达盛兴安") + rng.choice(EMPLOYERS)
        case = actions.create_case(
            actor=officer1,
            source=rng.choice(["inspection", "tip", "verification"]),
            region=region,
            party={"kind": "employer", "name": employer, "credit_code": make_credit_code(code, i)},
            summary=f"{SAMPLE_MARK}{employer}特种作业人员持证情况专项检查",
        )
        stage = i % 5  # 0 lead, 1 declined, 2 open with a forged certificate, 3 open fined, 4 closed
        if stage == 1:
            actions.decline_case(case, actor=head, reason="经核查，线索不实")
        elif stage >= 2:
            actions.open_case(case, actor=officer1, handlers=[officer1.username, officer2.username])
            holder = actions.add_person(
                case,
                actor=officer1,
                name=_name(rng),
                id_number=make_id_number(code, datetime.date(1975 + i % 25, 1 + i % 12, 1 + i % 28), i),
                role="holder",
            )
            kind = "forged_certificate" if stage == 2 else "unlicensed_operation"
            actions.record_finding(
                case, actor=officer1, kind=kind, person=holder.pk, certificate_number=f"T{code}{19700101 + i:08d}"
            )
            if stage == 2:
                referrals.propose_referral(
                    case, actor=officer1, persons=[holder.pk], report="现场检查发现其持伪造的特种作业操作证上岗作业。"
                )
            else:
                order = actions.order_rectification(
                    case,
                    actor=officer2,
                    deadline=local_today() + datetime.timedelta(days=15),
                    items="无证人员立即停止特种作业，组织培训取证",
                )
                fine = penalties.fine(case, head=head, handler=officer1, amount="20000.00", served=True)
                if stage == 4:
                    actions.verify_rectification(case, actor=officer1, order=order.pk, passed=True, note="复查合格")
                    actions.record_payment(case, actor=officer1, fine=fine.pk, amount=fine.amount_due(local_today()))
                    actions.close_case(case, actor=head, summary="整改完毕，罚款已缴纳，结案。")
        made += 1
        if progress and made % 20 == 0:
            progress(f"  {made}/{n - existing} sample cases…")
    return made
