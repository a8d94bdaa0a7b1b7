"""PostgreSQL's writer of a planned batch of the load world: COPY, a million cases in minutes.

Why a second writer: bench/run.py loads a million cases. Through the ORM (load.write_models)
nearly all the time goes to Django preparing every value for bulk_create and to append_events'
bulk_update of the chain heads: about 3 ms a case on SQLite here (100,000 cases in about 270 s
besides their referrals), close to an hour for a million, where the README's bench run loaded
them with COPY in about six and a half minutes. So on PostgreSQL the case and person ids are
reserved first, the events are still made by cases.events.build_event (their hash covers the
case id, and it moves each case's head in memory), and each case row is copied with its head
already in it, instead of saving the events through append_events and moving the heads after.
The rows are read from the planned model objects field by field, as bulk_create reads them, so
a new column is not missed.
"""

import datetime
import io

from django.db import connection, models

from cases.events import canonical
from cases.models import Case, Event, Finding, Fine, Person, Rectification

from .world import Planned, events_of


def write(world: list[Planned]) -> None:
    """Copy a planned batch; the caller holds the transaction."""
    persons = [p.person for p in world if p.person]
    with connection.cursor() as cursor:
        first_case = _next_ids(cursor, Case._meta.db_table, len(world))
        first_person = _next_ids(cursor, Person._meta.db_table, len(persons))
        for table, columns, lines in tables(world, first_case=first_case, first_person=first_person):
            if lines:
                cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO("".join(lines)))


def tables(world: list[Planned], *, first_case: int, first_person: int) -> list[tuple[str, list[str], list[str]]]:
    """The batch as (table, columns, COPY lines), parents first; case and person ids as given."""
    for i, p in enumerate(world):
        p.case.pk = first_case + i
    persons = [p.person for p in world if p.person]
    for i, person in enumerate(persons):
        person.pk = first_person + i
    events = [event for p in world for event in events_of(p)]  # after the ids: the hashes cover them
    through = Case.handlers.through
    return [
        rows(Case, [p.case for p in world]),
        rows(through, [through(case_id=p.case.pk, user_id=u.pk) for p in world for u in p.handlers]),
        rows(Person, persons),
        rows(Finding, [p.finding for p in world if p.finding]),
        rows(Rectification, [p.order for p in world if p.order]),
        rows(Fine, [p.fine for p in world if p.fine]),
        rows(Event, events),
    ]


def rows(model: type[models.Model], objs: list) -> tuple[str, list[str], list[str]]:
    """The objects' COPY lines, every concrete column; the id column only when the ids are set."""
    with_ids = bool(objs) and objs[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    lines = ["\t".join(_cell(f, _value(obj, f)) for f in fields) + "\n" for obj in objs]
    return model._meta.db_table, [f.column for f in fields], lines


def _value(obj, field):
    """What bulk_create would save: pre_save's value (auto_now included), a related object's id
    when it was given as an object before it had one."""
    if field.is_relation and getattr(obj, field.attname) is None and field.is_cached(obj):
        related = field.get_cached_value(obj)
        return None if related is None else related.pk
    return field.pre_save(obj, add=True)


def _cell(field, value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        text = canonical(value)
    elif isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, datetime.date):  # and datetime, its subclass: ISO 8601 with the offset
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _next_ids(cursor, table: str, n: int) -> int:
    """Reserve n ids of a table's identity sequence; the first one."""
    if n == 0:
        return 0
    cursor.execute(  # noqa: S608 - the table names are the models' own
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), nextval(pg_get_serial_sequence('{table}', 'id'))) + %s)",  # noqa: S608
        [n],
    )
    return cursor.fetchone()[0] - n + 1
