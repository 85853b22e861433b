"""In Chromium: the live board hears of an agent's change as it happens (Server-Sent Events), and
says in words whether it is live or updated on a timer.

The event stream needs an ASGI server, as in production: the app is served here by Uvicorn in a
thread (pytest-django's live_server is a threaded WSGI server, which cannot hold a stream open).
"""

import re
import socket
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from reports import views
from tests.browser.conftest import TIMEOUT_MS, VIEWPORT, log_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect
uvicorn = pytest.importorskip("uvicorn")


@pytest.fixture
def asgi_url(transactional_db, monkeypatch):
    """The application (config/asgi.py) served by Uvicorn on a free port, for this test."""
    # An in-memory SQLite test database exists only for the connection that made it: the server
    # uses that connection, as Django's own live server does.
    shared = {
        connection.alias: connection
        for connection in connections.all()
        if connection.vendor == "sqlite" and connection.is_in_memory_db()
    }
    for connection in shared.values():
        connection.inc_thread_sharing()
    # Django's ASGI handler runs each request's synchronous code in threads of its own, where
    # the connections are per thread: each would open another connection to the shared-cache
    # database, whose table locks then refuse one request's write while another reads
    # ("database table is locked"). Every thread gets the shared connection instead.
    create_connection = connections.create_connection
    monkeypatch.setattr(
        connections,
        "create_connection",
        lambda alias: shared[alias] if alias in shared else create_connection(alias),
    )
    from config.asgi import application as django_app

    async def app(scope, receive, send):
        for alias, connection in shared.items():
            connections[alias] = connection
        try:
            await django_app(scope, receive, send)
        finally:
            # The request's own connections (PostgreSQL), so that the test database can be
            # dropped at the end; the shared in-memory one is never closed.
            await sync_to_async(connections.close_all)()

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    host, port = listening.getsockname()
    server = uvicorn.Server(
        uvicorn.Config(
            app, lifespan="off", log_level="warning", timeout_graceful_shutdown=1, ws="none"
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.05)
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(10)
    listening.close()
    for connection in shared.values():
        connection.dec_thread_sharing()


@pytest.fixture
def tab(browser, asgi_url):
    context = browser.new_context(base_url=asgi_url, viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def second_tab(browser, asgi_url):
    context = browser.new_context(base_url=asgi_url, viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def no_timed_refresh(monkeypatch):
    # The board's own timed reading set to an hour: within this test only a pushed change can
    # update it.
    monkeypatch.setattr(views, "LIVE_REFRESH_SECONDS", 3600)


def row_of(page, username):
    return page.locator("table.report tbody tr").filter(
        has=page.get_by_role("cell", name=username, exact=True)
    )


def test_the_board_shows_an_agents_change_as_it_happens(
    tab, second_tab, no_timed_refresh, ana, sam, supervisor_a
):
    board = tab
    log_in(board, "supervisor_a", next_url="/reports/live/")
    status = board.locator("[data-live-status]")
    expect(status).to_have_text(re.compile(r"^Live: changes appear as they happen"))
    expect(row_of(board, "ana")).to_contain_text("Logged out")
    # Forgotten if the page were loaded again.
    board.evaluate("window.notReloaded = true")

    # The agent logs in from the console, in another browser.
    console = second_tab
    log_in(console, "ana", next_url="/console/")
    console.get_by_role("button", name="Log in", exact=True).click()
    expect(console.locator(".console-status")).to_contain_text("Available")

    # The board says so without being reloaded.
    expect(row_of(board, "ana")).to_contain_text("Available")
    assert board.evaluate("window.notReloaded") is True
    expect(status).to_have_text(re.compile(r"^Live"))


def test_without_the_stream_the_board_says_it_is_updated_on_a_timer(tab, ana, supervisor_a):
    tab.route("**/reports/live/stream/", lambda route: route.abort())
    log_in(tab, "supervisor_a", next_url="/reports/live/")
    expect(tab.locator("[data-live-status]")).to_have_text("Updated every 15 seconds.")
    expect(row_of(tab, "ana")).to_contain_text("Logged out")
