import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# WhiteNoise answers static files with a file iterator, which Django's ASGI handler reads whole
# before sending: fine for the app's small, compressed static files, and not worth a warning per
# file in the logs.
warnings.filterwarnings(
    "ignore",
    message="StreamingHttpResponse must consume synchronous iterators",
    module="django.core.handlers.asgi",
)

application = get_asgi_application()
