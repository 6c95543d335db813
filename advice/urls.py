from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("log/", views.quick_log, name="quick_log"),
    path("episodes/new/", views.episode_new, name="episode_new"),
    path("episodes/<id:pk>/", views.episode_detail, name="episode_detail"),
    path("episodes/<id:pk>/edit/", views.episode_edit, name="episode_edit"),
    path("guidance/", views.guidance_page, name="guidance"),
    path("trends/", views.trends, name="trends"),
]
