"""Consent (the patient's side) and everything a clinician sees."""

from django.urls import path

from .views import clinician, data, sharing

urlpatterns = [
    # The patient's side
    path("sharing/", sharing.sharing, name="sharing"),
    path("sharing/email/", sharing.share_by_email, name="share_by_email"),
    path("sharing/code/", sharing.share_code, name="share_code"),
    path("sharing/<id:pk>/revoke/", sharing.share_revoke, name="share_revoke"),
    path("account/delete/", data.account_delete, name="account_delete"),
    path("export/<str:fmt>/", data.my_export, name="my_export"),
    path("import/", data.import_history, name="import_history"),
    # The clinician's side (the summary also serves the patient themselves)
    path("clinic/", clinician.patients, name="clinician_patients"),
    path("clinic/redeem/", clinician.redeem, name="redeem_code"),
    path("clinic/patients/<id:patient_id>/", clinician.summary, name="patient_summary"),
    path(
        "clinic/patients/<id:patient_id>/summary.pdf",
        clinician.summary_pdf,
        name="patient_summary_pdf",
    ),
    path("clinic/patients/<id:patient_id>/history/", clinician.history, name="clinician_history"),
    path(
        "clinic/patients/<id:patient_id>/episodes/<id:pk>/",
        clinician.episode,
        name="clinician_episode",
    ),
    path("clinic/patients/<id:patient_id>/export/<str:fmt>/", data.export, name="patient_export"),
]
