"""Real-browser fixtures: Debian's Chromium driven by Playwright against the live server.

The tests skip (never fail) where the `playwright` package or `/usr/bin/chromium` is missing;
`playwright install` is never needed, the system browser is used.

The live server needs a transactional database, and pytest-django empties every table after each
such test. That also removes the rows the migrations wrote (the coded actions, the role groups),
which other tests rely on: `recreate_migration_data()` puts them back after each browser test's
flush, so the tests that run next see the database the migrations made (exactly, ids included,
where the session keeps a snapshot of it for tests with serialized_rollback), and before a
browser test that another test ran just before (the first one, or one after a test elsewhere that
may have flushed them without putting them back).
"""

import os
import tempfile
import threading
from functools import cache
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 800}
# The README's pictures are refreshed on request (`make screenshots`); an ordinary run still
# takes them, outside the repository, so that it does not leave the work tree changed.
SCREENSHOTS = (
    Path(settings.BASE_DIR) / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "statuscodes-screenshots"
)
# Long enough for a slow CI machine, short enough that a broken selector fails in seconds.
TIMEOUT_MS = 10_000

# Data migrations whose rows a flush removes: (module, function(apps, schema_editor)).
DATA_MIGRATIONS = [
    ("statuscodes.migrations.0002_actions", "create_actions"),
    ("statuscodes.migrations.0003_roles", "create_roles"),
    # After create_roles, which sets the Administrators' permissions anew: the later apps add
    # theirs to the role.
    ("feed.migrations.0002_roles", "grant"),
    ("schedules.migrations.0002_roles", "grant"),
]

db_blocker_key = pytest.StashKey()
# The item for which the previous browser test's teardown put the migrations' rows back: that
# item runs next, and finds them there.
restored_for_key = pytest.StashKey()


@cache
def migrated_apps():
    """The models as the migrations know them, for running their data functions again."""
    return MigrationLoader(connection).project_state().apps


def recreate_migration_data() -> None:
    snapshot = getattr(connection, "_test_serialized_contents", None)
    if snapshot:
        # The tests with serialized_rollback load this snapshot of the migrated database, ids
        # included, before they start: rows made again under new ids (the roles, the content
        # types of the flush's post_migrate) would collide with it. So the database becomes
        # exactly the snapshot.
        call_command(
            "flush", database=connection.alias, interactive=False, inhibit_post_migrate=True
        )
        connection.creation.deserialize_db_from_string(snapshot)
        ContentType.objects.clear_cache()
        return
    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(migrated_apps(), None)
    # The roles' migration created the content types again, with new ids: forget the old ones
    # (a flush after a serialized-rollback test does not run post_migrate, which would).
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed"
    )
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    # Playwright's sync API keeps an event loop running in this thread for as long as the
    # browser lives (the rest of the session): without this, Django would refuse every ORM
    # call made meanwhile, by these tests' fixtures and by the tests that run after them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    session_connections = {alias: connections[alias] for alias in connections}
    with sync_api.sync_playwright() as playwright:
        # From here on this thread's code runs in another greenlet, with a context of its own, in
        # which Django's connections would be new objects: put the session's back. They hold the
        # snapshot of the migrated database that the tests with serialized_rollback restore
        # before they start (without it they would find it empty), and their open connections,
        # which would otherwise stay open, unused, and keep the test database from being dropped
        # at the end ("being accessed by other users").
        for alias, session_connection in session_connections.items():
            connections[alias] = session_connection
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def migration_data(request, browser, transactional_db, django_db_blocker):
    """The migrations' rows, which an earlier transactional test may have flushed (unless the
    browser test just before put them back for this one)."""
    if request.session.stash.get(restored_for_key, None) is not request.node:
        recreate_migration_data()
    request.node.stash[db_blocker_key] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # Runs after the test's fixtures are torn down, i.e. after the live server's flush; after
    # the last test the test database is gone too, and there is nothing to restore.
    item.session.stash[restored_for_key] = None
    result = yield
    blocker = item.stash.get(db_blocker_key, None)
    if blocker is not None and nextitem is not None:
        with blocker.unblock():
            recreate_migration_data()
        item.session.stash[restored_for_key] = nextitem
    return result


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time_on_in_memory_sqlite():
    """The live server answers one request at a time where the test database is SQLite in
    memory: its threads then share one connection, and two requests reading through it at once
    (a page and its picker's search, fetched together by the browser) could wait on each other
    for good. PostgreSQL gives each thread its own connection: requests stay concurrent."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    from django.core.servers.basehttp import ServerHandler

    lock = threading.Lock()
    run = ServerHandler.run

    def serialized(handler, application):
        # The request is answered and its response written under the lock; a kept-alive connection
        # waits for its next request outside it.
        with lock:
            return run(handler, application)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ServerHandler, "run", serialized)
        yield


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) on the live server, 1280×800, English."""
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="en-US", accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page, username: str, *, next_url: str) -> None:
    """Log in through the login page with the password, the way a person does."""
    page.goto(f"/accounts/login/?next={next_url}")
    form = page.locator("main form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


def screenshot(page, name: str) -> Path:
    """The whole page as <name>.png (in docs/screenshots/ with UPDATE_SCREENSHOTS=1)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
