"""The load generator: the planned world (demo/world.py) written in batches, then referred.

Each batch of planned cases is numbered from the cities' case sequences and written in one
transaction: through the ORM, the events saved by append_events, the one writer of the chains;
on PostgreSQL through COPY (demo/pg_copy.py says why). A share of the referable cases then goes
down the real referral road (demo.reach), so referrals, open tasks and deadlines exist exactly
as the application makes them.
"""

import random
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from cases.events import append_events
from cases.models import Case, CaseSequence, Finding, Fine, Person, Rectification, ReferralStatus

from . import pg_copy
from .data import CITIES
from .reach import reach
from .world import Cast, Planned, events_of, plan

BATCH = 5_000
# The statuses the referred cases are driven to, in turn. bench/run.py sizes its B2 pages on this
# mix (guangzhou.head's inbox is full at 10,000 cases with --referral-share 0.12).
REFERRAL_STATUSES = (
    ReferralStatus.PROPOSED,
    ReferralStatus.APPROVED,
    ReferralStatus.REFUSED,
    ReferralStatus.TRANSMITTED,
    ReferralStatus.RECEIVED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.REJECTED,
    ReferralStatus.HANDED_OVER,
)


def generate(n: int, *, rng: random.Random, referral_share: float, progress: Callable[[str], None]) -> int:
    """Add n cases to the world (numbered on from each city's sequence); refer a share of them."""
    if n <= 0:
        return 0
    write = pg_copy.write if connection.vendor == "postgresql" else write_models
    cast = Cast.load()
    now = timezone.now()
    year = timezone.localdate(now).year
    ordinal = Case.objects.count()
    made, to_refer = 0, []
    while made < n:
        size = min(BATCH, n - made)
        with transaction.atomic():
            # Locked as create_case locks them, so that numbers stay unique beside the running application.
            sequences = {
                code: CaseSequence.objects.select_for_update().get_or_create(region_id=code, year=year)[0]
                for code in cast.regions
            }
            world = []
            for i in range(size):
                code, _name, slug = CITIES[(made + i) % len(CITIES)]
                sequences[code].last += 1
                world.append(
                    plan(
                        cast,
                        code=code,
                        slug=slug,
                        year=year,
                        seq=sequences[code].last,
                        ordinal=ordinal + made + i,
                        rng=rng,
                        now=now,
                        refer_share=referral_share,
                    )
                )
            CaseSequence.objects.bulk_update(sequences.values(), ["last"])
            write(world)
        to_refer += [(p.case.pk, p.person.pk) for p in world if p.refer and p.person]
        made += size
        progress(f"  {made:,}/{n:,} cases")
    refer(to_refer)
    progress(f"  {len(to_refer):,} referrals through the real actions")
    return made


def write_models(world: list[Planned]) -> None:
    """A batch of planned cases, every row with bulk_create; the events through append_events."""
    Case.objects.bulk_create([p.case for p in world], batch_size=BATCH)
    Person.objects.bulk_create([p.person for p in world if p.person], batch_size=BATCH)
    Case.handlers.through.objects.bulk_create(
        [Case.handlers.through(case_id=p.case.pk, user_id=u.pk) for p in world for u in p.handlers],
        batch_size=BATCH,
    )
    Finding.objects.bulk_create([p.finding for p in world if p.finding], batch_size=BATCH)
    Rectification.objects.bulk_create([p.order for p in world if p.order], batch_size=BATCH)
    Fine.objects.bulk_create([p.fine for p in world if p.fine], batch_size=BATCH)
    append_events([event for p in world for event in events_of(p)])


def refer(planned: list[tuple[int, int]]) -> None:
    """Each planned case's person referred, the referrals driven in turn to REFERRAL_STATUSES."""
    cases = Case.objects.in_bulk([case_pk for case_pk, _person in planned])
    for i, (case_pk, person_pk) in enumerate(planned):
        status = REFERRAL_STATUSES[i % len(REFERRAL_STATUSES)]
        reach(cases[case_pk], status, persons=[person_pk], report="负载测试移送")
