from django.contrib.admin.apps import AdminConfig


class SecondFactorAdminConfig(AdminConfig):
    """django.contrib.admin with backlog's site, which asks staff for a second factor
    (INSTALLED_APPS names this instead of django.contrib.admin)."""

    default_site = "backlog.admin_site.SecondFactorAdminSite"
