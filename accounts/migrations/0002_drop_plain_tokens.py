"""Issue 17 §6: API tokens are django-rest-knox's now (hashed at rest, expiring). The plain tokens
of rest_framework.authtoken, kept in clear, are dropped with their table: programs log in again
(POST /api/v1/auth/token/)."""

from django.db import migrations

TABLE = "authtoken_token"


def drop_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")
    # So that the app's migrations would run again should it ever be installed anew.
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("knox", "0009_extend_authtoken_field")]

    operations = [migrations.RunPython(drop_plain_tokens, migrations.RunPython.noop, elidable=True)]
