"""A patient's data leaving or entering backlog: exports, import, and deleting the account."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from backlog.roles import patients_only
from episodes.reports import local_today

from .. import exports, services
from ..access import get_readable_patient
from ..forms import DeleteAccountForm, ImportForm
from ..imports import history_import

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "fhir": ("application/fhir+json", "fhir.json"),
}


@require_GET
def export(request: HttpRequest, patient_id: int, fmt: str) -> HttpResponse:
    """A patient's history as CSV, JSON or FHIR R4, for the patient or a shared clinician.

    Streamed, the flare-ups read a chunk at a time (`exports.export_rows`), so a long history
    costs the worker no more memory than a short one. Everything that can refuse or fail
    early (the format, access, recorded in the access log, the first read) happens before
    the first byte is sent; a failure later cuts the transfer short, which a client sees as
    an incomplete download rather than a complete-looking file.
    """
    if fmt not in EXPORTS:
        raise Http404("No such export.")
    patient, _ = get_readable_patient(request.user, patient_id, action=f"export {fmt}")
    episodes = exports.export_rows(patient)
    pieces = {
        "csv": exports.csv_pieces,
        "json": exports.json_pieces,
        "fhir": exports.fhir_pieces,
    }[fmt](patient, episodes)
    content_type, extension = EXPORTS[fmt]
    response = StreamingHttpResponse(_encoded(pieces), content_type=content_type)
    filename = f"backlog-{patient.pk}-{local_today(patient).isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


STREAM_BLOCK = 64 * 1024  # characters sent to the client at a time


def _encoded(pieces: Iterator[str]) -> Iterator[bytes]:
    """The pieces as UTF-8 in blocks of about `STREAM_BLOCK` (one write each, rather than
    one per flare-up), the first read now, so that the first database read fails, if it
    does, before the response starts; the rest as the client takes them."""
    blocks = _blocks(pieces)
    first = next(blocks, b"")

    def rest() -> Iterator[bytes]:
        yield first
        yield from blocks

    return rest()


def _blocks(pieces: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= STREAM_BLOCK:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    yield "".join(buffer).encode("utf-8")


@require_GET
@patients_only
def my_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return export(request, request.user.pk, fmt)


@require_http_methods(["GET", "POST"])
@patients_only
def import_history(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = history_import(patient=request.user, data=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                f"Imported {count} flare-up{'s' if count != 1 else ''}"
                + ("." if count else ": they were all here already."),
            )
            return redirect("history")
    return render(request, "clinic/import.html", {"form": form})


@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user)
        messages.success(request, "Your account and all your data have been deleted.")
        return redirect("home")
    return render(request, "clinic/account_delete.html", {"form": form})
