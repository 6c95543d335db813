"""Every page a patient uses."""

from django.urls import path

from .views import app, flare_ups, followups, history, home, insights, readings

urlpatterns = [
    path("", home.home, name="home"),
    path("log/", home.quick_log, name="quick_log"),
    path("history/", history.history, name="history"),
    path("episodes/new/", flare_ups.episode_new, name="episode_new"),
    path("episodes/<id:pk>/", flare_ups.episode_detail, name="episode_detail"),
    path("episodes/<id:pk>/edit/", flare_ups.episode_edit, name="episode_edit"),
    path("episodes/<id:pk>/end/", flare_ups.episode_end, name="episode_end"),
    path("episodes/<id:pk>/delete/", flare_ups.episode_delete, name="episode_delete"),
    path("episodes/<id:pk>/readings/new/", readings.reading_new, name="reading_new"),
    path(
        "episodes/<id:pk>/readings/<id:reading_pk>/edit/",
        readings.reading_edit,
        name="reading_edit",
    ),
    path(
        "episodes/<id:pk>/readings/<id:reading_pk>/delete/",
        readings.reading_delete,
        name="reading_delete",
    ),
    path("questions/<id:pk>/", followups.followup_answer_page, name="followup"),
    path("questions/<id:pk>/answer/", followups.followup_answer, name="followup_answer"),
    path("settings/follow-ups/", followups.followup_settings, name="followup_settings"),
    path(
        "follow-ups/unsubscribe/<str:token>/",
        followups.followup_unsubscribe,
        name="followup_unsubscribe",
    ),
    path("trends/", insights.trends, name="trends"),
    path("guidance/", insights.guidance_page, name="guidance"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="service_worker"),
]
