"""Accent-insensitive admin search (docs/admin.md, "Searching by name"): "Jose" finds "José" and
"José" finds "Jose", on PostgreSQL and on SQLite alike.

The admin's search fields go through the `unaccent` transform of django.contrib.postgres. On
PostgreSQL it is the `unaccent` extension's function (installed by the migration
agents/0005_unaccent_extension); on SQLite, which has no such function, `register_sqlite_unaccent`
gives every connection one of the same name written in Python.
"""

import unicodedata

from django.db.backends.base.base import BaseDatabaseWrapper


def unaccented(*fields: str) -> tuple[str, ...]:
    """Admin `search_fields` that match `fields` whatever their accents and letter case."""
    return tuple(f"{field}__unaccent__icontains" for field in fields)


def strip_accents(text: str | None) -> str | None:
    """`text` without its accents (combining marks): "Málaga Ñúñez" → "Malaga Nunez"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def register_sqlite_unaccent(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """The `connection_created` receiver that gives a SQLite connection UNACCENT()."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, strip_accents, deterministic=True)
