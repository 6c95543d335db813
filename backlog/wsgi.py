import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backlog.settings")

application = get_wsgi_application()

# Import the heavy modules (numpy, scipy, plotly, the chart and summary code) now rather
# than on a worker's first request: with gunicorn --preload they are imported once, before
# the workers fork, so no request pays for them (about a second on this machine).
from backlog.warm import import_heavy_modules  # noqa: E402

import_heavy_modules()
