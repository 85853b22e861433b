"""Counting what uses a row, for the apps' deletion blockers (each app's services say which
relations block the deletion of their models, and what to do instead; `core.admin`'s
InUseDeletionMixin shows their sentences)."""

from collections.abc import Iterable

from django.db.models import Count, Model


def usage_counts(model: type[Model], objs: Iterable[Model], relation: str) -> dict[object, int]:
    """How many rows of `relation` (e.g. "events") each of `objs` has, for those with any,
    keyed by primary key; one query."""
    return dict(
        model._default_manager.filter(pk__in=[obj.pk for obj in objs])
        .annotate(usage_count=Count(relation))
        .filter(usage_count__gt=0)
        .values_list("pk", "usage_count")
    )
