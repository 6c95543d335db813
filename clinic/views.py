from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def patients(request: HttpRequest) -> HttpResponse:
    if not request.user.is_clinician:
        raise PermissionDenied
    return render(request, "clinic/patients.html", {"patients": []})
