from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from eldercare.health import healthz

admin.site.site_header = "武隆区农村养老服务管理系统"
admin.site.site_title = "农村养老服务管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("dashboard.urls")),
]
