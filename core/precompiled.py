"""Statements compiled once per process and run with new parameters: the ORM's own SQL for the
hot reads of a status change (docs/performance.md, "API throughput"), without building and
compiling their querysets on every request, which took more processor time than the rest of the
change.

A `PrecompiledQuery` is given a function that builds the queryset from its parameters. The first
call (per database and per `context`) builds and compiles it twice, with two sets of stand-in
values, checks that both give the same SQL, and notes where each parameter lands among the SQL's
parameters; every call then runs that SQL with its own values in those places and makes the model
instances as the ORM does (select_related, annotations, database converters). A build whose SQL
depends on anything but its parameters (the language, a list's order) takes it as `context`,
which is part of the cache's key; one whose SQL would change from call to call (a time read when
it is built, a setting) is refused when compiled, as its stand-ins would not match.
"""

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import DatabaseError, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import UpdateQuery

# Stand-ins: values no query of ours holds as a constant, within PostgreSQL's `integer` (a user's
# id is one), two per parameter so that a constant is never taken for a parameter.
INT_STAND_INS = (1_900_000_000, 1_950_000_000)
DATETIME_STAND_INS = (
    datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC),
    datetime(1902, 3, 4, 5, 6, 7, 891, tzinfo=UTC),
)


class PrecompilingError(Exception):
    """The queryset cannot be run precompiled: its SQL depends on more than its parameters, or a
    parameter is not passed as is."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (position among the SQL's parameters, parameter name)
    query: Any  # the compiled sql.Query: its compiler gives each connection's converters
    select: list
    col_count: int
    klass_info: dict
    annotation_col_map: dict
    db: str
    vendors_without_converters: set = field(default_factory=set)

    def _converted(self, rows: list, connection) -> list:
        # The database's converters of the columns: SQLite's booleans and datetimes, none on
        # PostgreSQL, which is remembered (they depend on the columns and the database only).
        if connection.vendor in self.vendors_without_converters:
            return rows
        compiler = self.query.get_compiler(connection=connection)
        converters = compiler.get_converters([s[0] for s in self.select[: self.col_count]])
        if not converters:
            self.vendors_without_converters.add(connection.vendor)
            return rows
        return list(compiler.apply_converters(rows, converters))

    def params_for(self, values: dict, connection) -> list:
        params = list(self.params)
        for position, name in self.slots:
            params[position] = _prepared(values[name], connection)
        return params

    def instances(self, rows: list, connection) -> list[Model]:
        # django.db.models.query.ModelIterable, from the compiled statement's description.
        if len(self.select) > self.col_count:
            rows = [row[: self.col_count] for row in rows]
        rows = self._converted(rows, connection)
        model_cls = self.klass_info["model"]
        select_fields = self.klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [f[0].target.attname for f in self.select[start:end]]
        populators = get_related_populators(self.klass_info, self.select, self.db)
        objects = []
        for row in rows:
            obj = model_cls.from_db(self.db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in self.annotation_col_map.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


class PrecompiledQuery:
    """`build(**context, **parameters)` → the queryset of model instances to run; `parameters`
    names each parameter with its type (int, str, or datetime: aware, as a DateTimeField takes
    it), passed as is to a lookup."""

    def __init__(self, build: Callable[..., QuerySet], **parameters: type) -> None:
        self._build = build
        self._parameters = parameters
        self._compiled: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def all(self, *, context: dict | None = None, **values) -> list[Model]:
        """The instances the queryset built with `values` would give, in its SQL."""
        context = context or {}
        compiled = self.compiled(context)
        connection = connections[compiled.db]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params_for(values, connection))
            rows = cursor.fetchall()
        return compiled.instances(rows, connection)

    def first(self, *, context: dict | None = None, **values) -> Model | None:
        """The first instance, or None (the build limits the query to one row itself)."""
        found = self.all(context=context, **values)
        return found[0] if found else None

    def compiled(self, context: dict) -> _Compiled:
        key = tuple(sorted(context.items()))
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(context)
                self._compiled[key] = compiled
        return compiled

    def orm_sql(self, *, context: dict | None = None, **values) -> tuple[str, tuple]:
        """The SQL and parameters the ORM itself gives for `values` (for the tests)."""
        queryset = self._build(**(context or {}), **values)
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        return sql, tuple(params)

    def precompiled_sql(self, *, context: dict | None = None, **values) -> tuple[str, tuple]:
        """The SQL and parameters a call with `values` runs (for the tests)."""
        compiled = self.compiled(context or {})
        return compiled.sql, tuple(compiled.params_for(values, connections[compiled.db]))

    def _compile(self, context: dict) -> _Compiled:
        runs = []
        for variant in (0, 1):
            stand_ins = {
                name: _stand_in(index, name, kind, variant)
                for index, (name, kind) in enumerate(self._parameters.items())
            }
            queryset = self._build(**context, **stand_ins)
            if queryset._prefetch_related_lookups or queryset._known_related_objects:
                raise PrecompilingError("prefetch_related and related managers are not supported")
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            runs.append((stand_ins, sql, tuple(params), compiler, queryset.db))
        (stand_ins, sql, params, compiler, db), (other_stand_ins, other_sql, other_params, *_) = (
            runs
        )
        if sql != other_sql or len(params) != len(other_params):
            raise PrecompilingError(f"the SQL depends on more than its parameters:\n{sql}")
        connection = connections[db]
        names_of = {_prepared(value, connection): name for name, value in stand_ins.items()}
        slots = []
        for position, (value, other) in enumerate(zip(params, other_params, strict=True)):
            name = names_of.get(value) if isinstance(value, Hashable) else None
            if value == other and name is None:
                continue  # a constant of the statement
            if name is None or _prepared(other_stand_ins[name], connection) != other:
                raise PrecompilingError(f"parameter {position} is not passed as is: {value!r}")
            slots.append((position, name))
        missing = set(self._parameters) - {name for _position, name in slots}
        if missing:
            raise PrecompilingError(f"parameters not found in the SQL: {sorted(missing)}")
        return _Compiled(
            sql=sql,
            params=params,
            slots=tuple(slots),
            query=compiler.query,
            select=compiler.select,
            col_count=compiler.col_count,
            klass_info=compiler.klass_info,
            annotation_col_map=compiler.annotation_col_map or {},
            db=db,
        )


def first_of(queryset: QuerySet) -> QuerySet:
    """The queryset `QuerySet.first()` runs: ordered by primary key unless ordered already, one
    row."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


def _stand_in(index: int, name: str, kind: type, variant: int) -> int | str | datetime:
    if kind is int:
        return INT_STAND_INS[variant] + index
    if kind is str:
        return f"\x1eprecompiled {name} {variant}\x1e"
    if kind is datetime:
        return DATETIME_STAND_INS[variant] + timedelta(seconds=index)
    raise PrecompilingError(f"unsupported parameter type {kind!r} for {name}")


def _prepared(value, connection):
    # As a DateTimeField prepares an aware datetime for the database (SQLite: a string).
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class PrecompiledUpdate:
    """`instance.save(update_fields=fields)` of a model with no pre_save or post_save receiver:
    its UPDATE (Django's own SQL, found on the first call) compiled once per process and run with
    the instance's values. Any receiver, a NULL or an expression as a value: Model.save()."""

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        self._model = model
        self._fields = [model._meta.get_field(name) for name in fields]
        self._sql: dict[str, str] = {}  # per database alias

    def save(self, instance: Model) -> None:
        values = [field.pre_save(instance, False) for field in self._fields]
        if (
            pre_save.has_listeners(self._model)
            or post_save.has_listeners(self._model)
            or any(value is None or hasattr(value, "resolve_expression") for value in values)
        ):
            instance.save(update_fields=[field.name for field in self._fields])
            return
        db = router.db_for_write(self._model, instance=instance)
        connection = connections[db]
        params = [
            *(f.get_db_prep_save(v, connection) for f, v in zip(self._fields, values, strict=True)),
            self._model._meta.pk.get_db_prep_value(instance.pk, connection),
        ]
        sql = self._sql.get(db) or self._compile(db, values, params, instance)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            updated = cursor.rowcount
        if not updated:
            raise DatabaseError("Save with update_fields did not affect any rows.")
        instance._state.db = db

    def orm_sql(self, instance: Model) -> tuple[str, tuple]:
        """The SQL and parameters of the ORM's own update (for the tests)."""
        values = [field.pre_save(instance, False) for field in self._fields]
        return self._orm_sql(router.db_for_write(self._model, instance=instance), instance, values)

    def _orm_sql(self, db: str, instance: Model, values: list) -> tuple[str, tuple]:
        # Model._do_update: base_qs.filter(pk=…)._update([(field, None, value), …]).
        query = self._model._base_manager.using(db).filter(pk=instance.pk).query.chain(UpdateQuery)
        query.add_update_fields(
            [(field, None, value) for field, value in zip(self._fields, values, strict=True)]
        )
        sql, params = query.get_compiler(db).as_sql()
        return sql, tuple(params)

    def _compile(self, db: str, values: list, params: list, instance: Model) -> str:
        sql, orm_params = self._orm_sql(db, instance, values)
        if orm_params != tuple(params):
            raise PrecompilingError(f"the update's parameters are not the ORM's: {orm_params!r}")
        self._sql[db] = sql
        return sql
