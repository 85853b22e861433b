"""The `unaccent` extension for the admin's accent-insensitive search (core/search.py). Only on
PostgreSQL: the operation does nothing on other databases (SQLite gets a Python function)."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("agents", "0004_agent_language_help_text")]

    operations = [UnaccentExtension()]
