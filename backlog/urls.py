from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter

from . import views
from .converters import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", login_not_required(views.BacklogLoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", views.account_settings, name="settings"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("advice.urls")),
    path("", include("clinic.urls")),
]
