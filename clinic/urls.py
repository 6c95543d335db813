from django.urls import path

from . import views

urlpatterns = [
    path("clinic/", views.patients, name="clinician_patients"),
]
