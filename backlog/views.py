from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from .accounts import has_second_factor, has_verified_email
from .forms import PrivacyAgreeForm, SettingsForm


@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect("settings")
    context = {
        "form": form,
        "email_verified": has_verified_email(request.user),
        "second_factor": has_second_factor(request.user),
    }
    return render(request, "backlog/settings.html", context)


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "backlog/privacy.html", {"version": settings.PRIVACY_NOTICE_VERSION})


@require_http_methods(["GET", "POST"])
def privacy_agree(request: HttpRequest) -> HttpResponse:
    """Agree to the current privacy notice: asked at sign-up, and again when it changes."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    user = request.user
    current = settings.PRIVACY_NOTICE_VERSION
    if user.privacy_version == current:
        return redirect(next_url or "home")
    form = PrivacyAgreeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user.agree_to_privacy_notice(current)
        user.save(update_fields=["privacy_version", "privacy_agreed_at"])
        messages.success(request, "Thank you. You agreed to the privacy notice.")
        return redirect(next_url or "home")
    context = {"form": form, "next": next_url, "version": current, "changed": user.privacy_version}
    return render(request, "backlog/privacy_agree.html", context)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
