from django.urls import path

from . import views

urlpatterns = [
    path("history/", views.history, name="history"),
    path("episodes/<id:pk>/end/", views.episode_end, name="episode_end"),
    path("episodes/<id:pk>/delete/", views.episode_delete, name="episode_delete"),
]
