from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path, register_converter

from . import views
from .converters import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    # allauth runs the account pages at the site root (/login/, /signup/, /logout/,
    # /password/reset/, /email/, /2fa/, /sessions/...). These three keep their old names too.
    path("login/", account_views.login, name="login"),
    path("signup/", account_views.signup, name="signup"),
    path("logout/", account_views.logout, name="logout"),
    path("", include("allauth.urls")),
    path("settings/", views.account_settings, name="settings"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/agree/", views.privacy_agree, name="privacy_agree"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("advice.urls")),
    path("", include("clinic.urls")),
]
