from django.db import migrations
from django.db.models import Exists, OuterRef


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Finding = apps.get_model("cases", "Finding")
    Case.objects.filter(Exists(Finding.objects.filter(case=OuterRef("pk"), referable=True))).update(requires_referral=True)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_requires_referral")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
