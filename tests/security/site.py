"""Every URL of the site, built from the URL configuration itself, so new pages are covered
without anyone remembering to add them here."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def named_patterns(
    patterns: list | None = None, namespace: str = ""
) -> Iterator[tuple[str, list[str]]]:
    """(name with its namespace, argument names) for every named URL pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            outer = list(pattern.pattern.regex.groupindex)
            for name, arguments in named_patterns(pattern.url_patterns, inner):
                yield name, outer + arguments
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", list(pattern.pattern.regex.groupindex)


# The admin's app index only matches the label of an installed app.
DEFAULT_VALUES = {"app_label": "backlog"}


def every_url(values: dict[str, object]) -> dict[str, str]:
    """{name: path} for every named pattern; an argument takes `values[argument]` or "1"."""
    values = {**DEFAULT_VALUES, **values}
    urls = {}
    for name, arguments in named_patterns():
        kwargs = {argument: values.get(argument, "1") for argument in arguments}
        urls[name] = reverse(name, kwargs=kwargs)
    return urls
