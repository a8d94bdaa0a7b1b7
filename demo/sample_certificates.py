"""Sample certificates for the demo: a registry of N well-formed certificates over the 21 cities."""

import datetime
import random

from certificates.models import Category, Certificate, add_years
from core.identity import id_hash, mask_id_number

from .data import CITIES
from .sample_cases import SURNAMES, make_id_number

ITEMS = {
    "electrical": "低压电工作业",
    "welding": "熔化焊接与热切割作业",
    "height": "登高架设作业",
    "refrigeration": "制冷与空调设备运行操作作业",
}


def create_sample_certificates(n: int, *, seed: int = 2018, batch: int = 5_000) -> int:
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    existing = Certificate.objects.filter(number__startswith="D").count()
    made, rows = 0, []
    for i in range(existing, n):
        code, city, _slug = CITIES[i % len(CITIES)]
        birth = datetime.date(1965 + i % 35, 1 + i % 12, 1 + i % 28)
        id_number = make_id_number(code, birth, i)
        issued = datetime.date(2016 + i % 10, 1 + (i * 7) % 12, 1 + (i * 11) % 28)
        category = rng.choice(list(ITEMS))
        rows.append(
            Certificate(
                number=f"D{id_number}",
                holder_name=rng.choice(SURNAMES)
                + rng.choice("伟芳娜敏静强磊军洋勇艳杰涛明超华")
                + rng.choice("一二三文武国建华明"),
                id_hash=id_hash(id_number),
                id_masked=mask_id_number(id_number),
                category=category if category in Category.values else "other",
                item=ITEMS[category],
                issued_on=issued,
                expires_on=add_years(issued, 6),
                reviewed_on=add_years(issued, 3) if i % 3 else None,
                authority=f"{city}应急管理局",
                status="revoked" if i % 97 == 0 else "valid",
            )
        )
        if len(rows) >= batch:
            Certificate.objects.bulk_create(rows, ignore_conflicts=True)
            made += len(rows)
            rows = []
    Certificate.objects.bulk_create(rows, ignore_conflicts=True)
    return made + len(rows)
