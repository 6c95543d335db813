"""Every page a patient uses."""

from django.urls import path

from .views import app, flare_ups, history, home, insights

urlpatterns = [
    path("", home.home, name="home"),
    path("log/", home.quick_log, name="quick_log"),
    path("history/", history.history, name="history"),
    path("episodes/new/", flare_ups.episode_new, name="episode_new"),
    path("episodes/<id:pk>/", flare_ups.episode_detail, name="episode_detail"),
    path("episodes/<id:pk>/edit/", flare_ups.episode_edit, name="episode_edit"),
    path("episodes/<id:pk>/end/", flare_ups.episode_end, name="episode_end"),
    path("episodes/<id:pk>/delete/", flare_ups.episode_delete, name="episode_delete"),
    path("trends/", insights.trends, name="trends"),
    path("guidance/", insights.guidance_page, name="guidance"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="service_worker"),
]
