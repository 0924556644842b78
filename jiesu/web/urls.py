from django.urls import path

from jiesu.web.views import actions, attachments, audit, auth, due, home, imports, notifications, pii, security, tickets

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("login/code/", auth.login_code, name="login_code"),
    path("login/password/", auth.login_password, name="login_password"),
    path("account/password/", security.account_password, name="account_password"),
    path("account/totp/", security.totp, name="totp"),
    path("security/", security.security_admin, name="security_admin"),
    path("tickets/", tickets.ticket_list, name="ticket_list"),
    path("tickets/new", tickets.ticket_new, name="ticket_new"),
    path("tickets/due/", due.ticket_due_list, name="ticket_due_list"),
    path("tickets/import", imports.import_start, name="import_start"),
    path("tickets/import/<str:job_id>/", imports.import_job, name="import_job"),
    path("tickets/import/<str:job_id>/progress", imports.import_job_progress, name="import_job_progress"),
    path("tickets/<str:number>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<str:number>/act/<str:action>", actions.ticket_act, name="ticket_act"),
    path("tickets/<str:number>/attachments", actions.ticket_attach, name="ticket_attach"),
    path("tickets/<str:number>/reveal", pii.ticket_reveal, name="ticket_reveal"),
    path("tickets/<str:number>/attachments/<int:pk>", attachments.attachment_download, name="attachment_download"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read", notifications.notification_read, name="notification_read"),
    path("notifications/read-all", notifications.notification_read_all, name="notification_read_all"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export.csv", audit.audit_export_csv, name="audit_export"),
]
