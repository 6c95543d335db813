"""The Django admin behind two factors: staff log in through allauth's page (so their
second factor is asked for), and staff without one are taken to set one up first."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from .accounts import has_second_factor

SECOND_FACTOR_FOR_ADMIN = (
    "The admin opens only behind a second factor: set up an authenticator app or a passkey."
)


class SecondFactorAdminSite(admin.AdminSite):
    site_header = "backlog administration"
    site_title = "backlog admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and has_second_factor(request.user)

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get("next") or index
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = index
        user = request.user
        if not user.is_authenticated:
            # Never the admin's own password form: it would skip the second factor.
            return redirect_to_login(next_url, reverse("account_login"))
        if self.has_permission(request):
            return redirect(next_url)
        if user.is_active and user.is_staff:
            messages.warning(request, SECOND_FACTOR_FOR_ADMIN)
            return redirect("mfa_index")
        raise PermissionDenied("This account cannot use the admin.")
