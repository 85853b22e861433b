"""The background worker (Celery, docs/worker.md): timers of the agents' timelines and, later,
the event feed.

The broker is configuration (`CELERY_BROKER_URL`): by default kombu's filesystem transport under
`var/broker/`, so that `make run` needs no server; Redis or RabbitMQ in production
(docs/deployment.md). The tasks keep no state of their own: every timer is derived from the
database, so a worker that stops, restarts or runs late loses nothing.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("agent_status_codes")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
