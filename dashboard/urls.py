from django.urls import path

from dashboard.views import regions, seniors

app_name = "dashboard"

urlpatterns = [
    path("", regions.home, name="home"),
    path("regions/<str:code>/", regions.region_detail, name="region"),
    # the seniors' ledger
    path("seniors/", seniors.senior_list, name="senior_list"),
    path("seniors/new/", seniors.senior_create, name="senior_create"),
    path("seniors/<int:pk>/", seniors.senior_detail, name="senior_detail"),
    path("seniors/<int:pk>/edit/", seniors.senior_edit, name="senior_edit"),
    path("seniors/<int:pk>/status/", seniors.senior_status, name="senior_status"),
    path("seniors/<int:pk>/assessments/new/", seniors.assessment_create, name="assessment_create"),
    path("seniors/<int:pk>/visits/new/", seniors.visit_create, name="visit_create"),
]
