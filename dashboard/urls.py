from django.urls import path

from dashboard.views import regions

app_name = "dashboard"

urlpatterns = [
    path("", regions.home, name="home"),
    path("regions/<str:code>/", regions.region_detail, name="region"),
]
