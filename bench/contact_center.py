"""The contact center the report benches generate (bench/reports.py, bench/grains.py,
bench/exports.py): AGENTS agents in groups of 50, each with about 33 status changes per
working day (sessions of calls, coded breaks and offline work, logged-out nights) and
rejections, loaded into a database of the bench's own, outside the repository.

PostgreSQL data is loaded with COPY in chunks of at most 100,000 rows, each committed, so that
the load does not stall other work on the same server.
"""

import os
import platform
import random
import warnings
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path

SQLITE_PATH = Path("/tmp/bench_reports.sqlite3")
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_NAME = "bench_reports"
AGENTS_PER_GROUP = 50
CHUNK_ROWS = 100_000


def configure(
    database: str,
    *,
    sqlite_path: Path = SQLITE_PATH,
    postgres_name: str = POSTGRES_NAME,
    reuse: bool = False,
) -> bool:
    """Point Django at the bench's database, migrated, with production settings.

    Without `reuse` the database is created afresh; with it, a database left by an earlier run
    is kept. Returns whether it already holds a contact center (agents) to reuse.
    """
    if database == "sqlite":
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    else:
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
            exists = server.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [postgres_name]
            ).fetchone()
            if exists and not reuse:
                server.execute(f"DROP DATABASE {postgres_name}")
            if not exists or not reuse:
                server.execute(f"CREATE DATABASE {postgres_name}")
        os.environ["DATABASE_URL"] = f"{POSTGRES_SERVER}/{postgres_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["TIME_ZONE"] = "UTC"
    os.environ["SECURE_SSL_REDIRECT"] = "false"

    import django
    from django.conf import settings

    # Static files are not collected for the benchmark; WhiteNoise says so at start-up.
    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    # Production settings, except that static files are not collected for the benchmark.
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    from django.core.management import call_command

    # No `setup_test_environment()`: it makes every template render send a signal and the test
    # client copy the context, which doubled a small page's time (docs/performance.md). The
    # client needs only ALLOWED_HOSTS (above).
    call_command("migrate", verbosity=0)
    from agents.models import Agent

    return reuse and Agent.objects.exists()


# --- data ------------------------------------------------------------------------------------

BREAK_CODES = {"SHORT": (8, 20), "LUNCH": (30, 75), "RESTROOM": (3, 12)}
OFFLINE_CODES = {"MEETING": (20, 60), "TRAINING": (30, 90)}
REJECT_CODES = ("CASE", "TECH")
CHANNELS = ("phone", "chat", "email")


def configuration(agent_count: int):
    """Lists, groups of 50 agents each with a supervisor, agents; returns (agents, codes)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from agents.models import Agent, AgentGroup
    from statuscodes.models import StatusCode, StatusCodeList

    User = get_user_model()
    code_list = StatusCodeList.objects.create(name="Support")
    codes = {}
    actions = {
        **dict.fromkeys(BREAK_CODES, ["take_break"]),
        **dict.fromkeys(OFFLINE_CODES, ["work_offline"]),
        "EOS": ["logout"],
        **dict.fromkeys(REJECT_CODES, ["reject_phone", "reject_chat", "reject_email"]),
    }
    for order, (key, code_actions) in enumerate(actions.items()):
        max_minutes = {"SHORT": 15, "LUNCH": 60, "RESTROOM": 10}.get(key)
        code = StatusCode.objects.create(
            code_list=code_list,
            code=key,
            label=key.title(),
            sort_order=order,
            max_minutes=max_minutes,
        )
        code.actions.set(code_actions)
        codes[key] = code.pk
    password = make_password("bench")
    User.objects.create(username="root", is_superuser=True, is_staff=True, password=password)
    users = User.objects.bulk_create(
        User(username=f"agent{number:04d}", password=password) for number in range(agent_count)
    )
    groups = []
    for number in range(0, agent_count, AGENTS_PER_GROUP):
        group = AgentGroup.objects.create(
            name=f"Team {number // AGENTS_PER_GROUP:02d}", code_list=code_list
        )
        supervisor = User.objects.create(
            username=f"supervisor{number // AGENTS_PER_GROUP:02d}", password=password
        )
        group.supervisors.add(supervisor)
        groups.append(group)
    agents = Agent.objects.bulk_create(
        Agent(user=user, group=groups[index // AGENTS_PER_GROUP])
        for index, user in enumerate(users)
    )
    return [agent.pk for agent in agents], codes


def day_plan(agent_id: int, day: date, codes: dict) -> tuple[list, list]:
    """One agent's working day: (status changes [(start, status, code)], rejections)."""
    rng = random.Random(agent_id * 100_003 + day.toordinal())
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    clock = midnight + timedelta(hours=6, minutes=rng.randint(0, 240), seconds=rng.random())
    shift_end = clock + timedelta(hours=8, minutes=rng.randint(0, 60))
    changes = [(clock, "available", None)]
    rejections = []
    breaks = ["SHORT", "LUNCH", "SHORT", "RESTROOM"]
    offline = rng.choice(list(OFFLINE_CODES)) if rng.random() < 0.6 else None

    def advance(low: float, high: float) -> datetime:
        nonlocal clock
        clock += timedelta(minutes=rng.uniform(low, high))
        return clock

    while clock < shift_end:
        available_from = clock
        advance(5, 40)
        if rng.random() < 0.35:
            moment = available_from + (clock - available_from) * rng.random()
            rejections.append((moment, rng.choice(CHANNELS), codes[rng.choice(REJECT_CODES)]))
        changes.append((clock, "busy", None))
        advance(8, 50)
        changes.append((clock, "post_processing", None))
        advance(1, 6)
        roll = rng.random()
        if breaks and roll < 0.3:
            key = breaks.pop(0)
            changes.append((clock, "on_break", codes[key]))
            advance(*BREAK_CODES[key])
        elif offline and roll < 0.4:
            changes.append((clock, "work_offline", codes[offline]))
            advance(*OFFLINE_CODES[offline])
            offline = None
        changes.append((clock, "available", None))
    advance(1, 10)
    changes.append((clock, "logged_out", codes["EOS"]))
    return changes, rejections


def event_rows(
    agent_ids: list[int], days: list[date], codes: dict, *, following: date | None, first: bool
):
    """Rows of agents_statusevent for `days`, chained into the day after them, if any.

    `first`: these are the agents' first days, so their first change has no previous status.
    """
    from agents.models import Agent

    recorded = datetime.now(UTC)
    # Each event records the agent's group at the time: here, the group the agent is in.
    group_of = dict(Agent.objects.filter(pk__in=agent_ids).values_list("pk", "group_id"))
    for agent_id in agent_ids:
        plans = [day_plan(agent_id, day, codes) for day in days]
        next_start = day_plan(agent_id, following, codes)[0][0][0] if following else None
        previous = "" if first else "logged_out"
        changes = [change for plan, _ in plans for change in plan]
        for index, (start, status, code) in enumerate(changes):
            end = changes[index + 1][0] if index + 1 < len(changes) else next_start
            yield (
                *(agent_id, "status", status, previous, "", code, start, end, "import", recorded),
                *NOT_SET,
                group_of[agent_id],
            )
            previous = status
        for plan in plans:
            for moment, channel, code in plan[1]:
                yield (
                    agent_id,
                    "rejection",
                    "",
                    "",
                    channel,
                    code,
                    moment,
                    None,
                    "import",
                    recorded,
                    *NOT_SET,
                    group_of[agent_id],
                )


COLUMNS = (
    "agent_id",
    "kind",
    "status",
    "previous_status",
    "channel",
    "code_id",
    "started_at",
    "ended_at",
    "source",
    "recorded_at",
    "system_reason",
    "missed",
    "timer",
    "group_id",
)
# The agent's-day columns, which a history import leaves empty.
NOT_SET = ("", False, "")


def insert_events(rows) -> int:
    """Insert event `rows` (tuples of COLUMNS), committed in chunks of CHUNK_ROWS: on
    PostgreSQL one COPY per chunk, so that no single long COPY holds up other work on the
    server."""
    from django.db import connection, transaction

    table = "agents_statusevent"
    count = 0
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                copy_sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                adapt = connection.ops.adapt_datetimefield_value
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(COLUMNS)}) "
                    f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
                    [
                        (*row[:6], adapt(row[6]), adapt(row[7]), row[8], adapt(row[9]), *row[10:])
                        for row in chunk
                    ],
                )
        count += len(chunk)
    if connection.vendor == "postgresql":
        # What autovacuum would have done by the time anyone reads a report.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return count


def machine() -> str:
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "?",
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    return (
        f"{date.today()}, {cpu} ({os.cpu_count()} CPUs), {memory} RAM, "
        f"Python {platform.python_version()}, {version}"
    )
