"""Middleware of the project's own."""

from collections.abc import AsyncIterator, Iterator
from functools import partial

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import OperationalError
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.shortcuts import render

from .locks import is_lock_conflict

# When a page refused for a busy database may be tried again (seconds): a history import holds
# the lock for seconds to a minute.
BUSY_RETRY_AFTER = 5


class AsyncFileResponseMiddleware:
    """Under ASGI, send file responses (WhiteNoise's static files, file downloads) chunk by
    chunk, each read in a worker thread.

    A FileResponse reads its file through a synchronous iterator, which Django's ASGI handler
    reads whole, on the thread that runs the synchronous views, warning "StreamingHttpResponse
    must consume synchronous iterators" on every file. Reading a file needs no database
    connection, so any thread may read it. Other streaming responses (the exports, which query
    as they stream) keep Django's way. Placed before WhiteNoise, to see its responses; under
    WSGI it changes nothing.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self.__acall__(request)
        return _async_file(request, self.get_response(request))

    async def __acall__(self, request: HttpRequest):
        return _async_file(request, await self.get_response(request))


def _async_file(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    if (
        isinstance(request, ASGIRequest)
        and isinstance(response, FileResponse)
        and not response.is_async
    ):
        # The file stays registered for closing when the response is closed.
        response.streaming_content = _read_in_a_thread(iter(response.streaming_content))
    return response


async def _read_in_a_thread(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    next_chunk = sync_to_async(partial(next, chunks, None), thread_sensitive=False)
    while (chunk := await next_chunk()) is not None:
        yield chunk


class DatabaseBusyMiddleware:
    """A page's write that waited too long for the database's lock (a history import holds it:
    on SQLite the whole database, on PostgreSQL the agents in its file) is answered 503 with a
    page that says so and that nothing was saved, instead of a server error. The API answers its
    own refusals (`agent_locked`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError) or not is_lock_conflict(exception):
            return None
        if request.path.startswith("/api/"):
            return None
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
