import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts.views import LoginView
from eldercare.health import healthz

admin.site.site_header = "武隆区农村养老服务管理系统"
admin.site.site_title = "农村养老服务管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("bench/", include("loadtest.bare")),  # only with BENCH_BARE_VIEW=1
    # the load test's floor views (loadtest/floors.py), only in a load run's server
    *(
        [path("bench/floor/", include("loadtest.floors"))]
        if os.environ.get("BENCH_FLOOR_VIEWS", "").strip().lower() in {"1", "true", "yes", "on"}
        else []
    ),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
    # switching language works before login too (the login page has the switch)
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("dashboard.urls")),
]
