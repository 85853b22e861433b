"""Say where the application's mail goes (`make run` prints it when it starts)."""

from django.conf import settings
from django.core.management.base import BaseCommand

BACKENDS = "django.core.mail.backends."


class Command(BaseCommand):
    help = "Say where the application's mail (the scheduled reports) goes."

    def handle(self, *args, **options) -> None:
        self.stdout.write(mail_destination())


def mail_destination() -> str:
    backend = settings.EMAIL_BACKEND
    if backend == BACKENDS + "filebased.EmailBackend":
        return f"Mail: written as files under {settings.EMAIL_FILE_PATH}/ (nothing is sent)."
    if backend == BACKENDS + "console.EmailBackend":
        return "Mail: printed on the worker's output (nothing is sent)."
    if backend == BACKENDS + "smtp.EmailBackend":
        security = (
            " with SSL"
            if settings.EMAIL_USE_SSL
            else (" with STARTTLS" if settings.EMAIL_USE_TLS else "")
        )
        return f"Mail: sent through SMTP at {settings.EMAIL_HOST}:{settings.EMAIL_PORT}{security}."
    return f"Mail: handled by {backend}."
