"""HTML to PDF on the server, with WeasyPrint (which draws with Pango; no browser involved).

The page's own stylesheets are read from the app's static files and nothing else is fetched:
a URL that is not one of our static files (an address typed into a note, say) is refused, so
rendering never reaches the network.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

BASE_URL = "https://backlog.invalid/"

# WeasyPrint warns about every CSS property it does not support (Bootstrap has many) at
# WARNING: noise in the server's log on every PDF. Real failures still come through.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class NotAStaticFile(ValueError):
    pass


def static_file(url: str) -> Path:
    """The file behind one of our static URLs (as `{% static %}` wrote it)."""
    path = unquote(urlsplit(url).path)
    prefix = urlsplit(settings.STATIC_URL).path
    if not path.startswith(prefix):
        raise NotAStaticFile(url)
    name = path.removeprefix(prefix)
    if ".." in Path(name).parts:
        raise NotAStaticFile(url)
    found = finders.find(name)
    if found is None and staticfiles_storage.exists(name):
        found = staticfiles_storage.path(name)
    if found is None:
        raise NotAStaticFile(url)
    return Path(found)


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesOnly()


STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
# Parsed stylesheets, by file and modification time: parsing Bootstrap takes longer than
# laying out the whole summary.
_PARSED: dict[tuple[Path, float], object] = {}


def _stylesheet(url: str):
    from weasyprint import CSS

    path = static_file(urljoin(BASE_URL, url))
    key = (path, path.stat().st_mtime)
    if key not in _PARSED:
        _PARSED[key] = CSS(filename=str(path), url_fetcher=_fetcher())
    return _PARSED[key]


def html_to_pdf(html: str) -> bytes:
    """The page as a PDF. Its stylesheet links are taken out and the same sheets, parsed
    once per process, are given back in the same order (they were the page's only author
    styles besides its inline @page rules, so the cascade is unchanged)."""
    # Imported here: WeasyPrint loads Pango, which only the PDF needs.
    from weasyprint import HTML

    sheets = [_stylesheet(url) for url in STYLESHEET_LINK.findall(html)]
    document = HTML(string=STYLESHEET_LINK.sub("", html), base_url=BASE_URL, url_fetcher=_fetcher())
    return document.write_pdf(stylesheets=sheets)
