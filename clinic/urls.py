from django.urls import path

from . import views

urlpatterns = [
    # The patient's side
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/email/", views.share_by_email, name="share_by_email"),
    path("sharing/code/", views.share_code, name="share_code"),
    path("sharing/<id:pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("export/<str:fmt>/", views.my_export, name="my_export"),
    path("import/", views.import_history, name="import_history"),
    # The clinician's side
    path("clinic/", views.patients, name="clinician_patients"),
    path("clinic/redeem/", views.redeem, name="redeem_code"),
    path("clinic/patients/<id:patient_id>/", views.summary, name="clinician_summary"),
    path("clinic/patients/<id:patient_id>/history/", views.history, name="clinician_history"),
    path("clinic/patients/<id:patient_id>/export/<str:fmt>/", views.export, name="patient_export"),
]
