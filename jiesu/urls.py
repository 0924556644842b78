from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from jiesu.api.urls import api

urlpatterns = [
    # Everyone logs in through the web login: lockout, second factor and forced password change.
    path("admin/login/", RedirectView.as_view(pattern_name="web:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("jiesu.web.urls")),
]
