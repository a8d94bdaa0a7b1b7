"""The monthly form's roll-up counted for the cases already there (oversight/tallies.py)."""

from django.db import migrations


def build(apps, schema_editor):
    from oversight import tallies

    tallies.rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0010_form_tallies"),
        ("cases", "0023_event_labels"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
