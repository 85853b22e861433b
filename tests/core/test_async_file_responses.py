"""Static files under ASGI (config/asgi.py): sent from an asynchronous iterator, without Django's
warning that it had to read a synchronous one whole (core.middleware.AsyncFileResponseMiddleware).
"""

import asyncio
import warnings
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.asgi import get_asgi_application


def asgi_get(path: str) -> tuple[list[dict], list[warnings.WarningMessage]]:
    """The ASGI messages the application sends for GET `path`, and the warnings raised."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected until the answer is sent

    async def send(message: dict) -> None:
        sent.append(message)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # In a thread of its own: a browser test run earlier in this process (Playwright's
        # synchronous API) may have left an event loop running in this one.
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(asyncio.run, get_asgi_application()(scope, receive, send)).result()
    return sent, caught


def test_a_static_file_is_sent_whole_without_a_warning():
    sent, caught = asgi_get("/static/js/live.js")

    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200
    body = b"".join(message.get("body", b"") for message in sent[1:])
    assert body == (settings.BASE_DIR / "static" / "js" / "live.js").read_bytes()
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]


def test_under_wsgi_a_static_file_is_sent_as_before(client):
    response = client.get("/static/js/live.js")

    assert response.status_code == 200 and not response.is_async
    assert (
        b"".join(response.streaming_content)
        == (settings.BASE_DIR / "static" / "js" / "live.js").read_bytes()
    )
