import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view, serializer and URL pattern now rather than on the first request: with gunicorn's
# preload_app this happens once in the master, so no worker's first requests wait ~1 s for it.
from django.urls import get_resolver  # noqa: E402

_loaded = get_resolver().url_patterns
