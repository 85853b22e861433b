"""`manage.py check_port HOST PORT`: say clearly that the port is taken before `make run` starts
anything, instead of leaving runserver's error among the demo data's output."""

import errno
import socket

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Fail with a clear message when the server could not listen on HOST:PORT."

    def add_arguments(self, parser):
        parser.add_argument("host")
        parser.add_argument("port", type=int)

    def handle(self, *args, host: str, port: int, **options):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            socket.create_server((host, port), family=family).close()
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Port {port} on {host} is already in use (another `make run`?). Stop "
                    f"that server, or choose another port: make run PORT={port + 1}"
                ) from None
            raise CommandError(
                f"Cannot listen on {host}:{port}: {error.strerror or error}. "
                "Choose another address with HOST= and PORT=, e.g. make run PORT=8001"
            ) from None
