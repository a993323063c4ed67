from django.urls import path

from dashboard.views import (
    audit,
    claims,
    coverage,
    coverage_report,
    facilities,
    regions,
    seniors,
    seniors_excel,
    volunteers,
)

app_name = "dashboard"

urlpatterns = [
    path("", regions.home, name="home"),
    path("regions/<str:code>/", regions.region_detail, name="region"),
    # who viewed or changed a person's record (dashboard/views/audit.py)
    path("audit/", audit.audit_log, name="audit_log"),
    # coverage of the 2022 targets (dashboard/views/coverage.py)
    path("coverage/", coverage.coverage_home, name="coverage_home"),
    path("coverage/<str:code>/", coverage.coverage_region, name="coverage"),
    path("coverage/<str:code>/trends/", coverage.coverage_trends, name="coverage_trends"),
    path("coverage/<str:code>/gaps/", coverage.coverage_gaps, name="coverage_gaps"),
    path("coverage/<str:code>/export.xlsx", coverage.coverage_export, name="coverage_export"),
    path("coverage/<str:code>/screen/", coverage.coverage_screen, name="coverage_screen"),
    path(
        "coverage/<str:code>/report/<str:month>.pdf",
        coverage_report.coverage_report,
        name="coverage_report",
    ),
    # the seniors' ledger
    path("seniors/", seniors.senior_list, name="senior_list"),
    path("seniors/new/", seniors.senior_create, name="senior_create"),
    path("seniors/<int:pk>/", seniors.senior_detail, name="senior_detail"),
    path("seniors/<int:pk>/edit/", seniors.senior_edit, name="senior_edit"),
    path("seniors/<int:pk>/status/", seniors.senior_status, name="senior_status"),
    path("seniors/<int:pk>/assessments/new/", seniors.assessment_create, name="assessment_create"),
    path("seniors/<int:pk>/visits/new/", seniors.visit_create, name="visit_create"),
]
# the ledger in and out of Excel (dashboard/views/seniors_excel.py)
urlpatterns += [
    path("seniors/export.xlsx", seniors_excel.export_register, name="senior_export"),
    path("seniors/import/", seniors_excel.import_upload, name="senior_import"),
    path(
        "seniors/import/template.xlsx",
        seniors_excel.import_template,
        name="senior_import_template",
    ),
    path("seniors/import/<uuid:pk>/", seniors_excel.import_preview, name="senior_import_preview"),
    path(
        "seniors/import/<uuid:pk>/progress/",
        seniors_excel.import_progress,
        name="senior_import_progress",
    ),
]
# the facility network (dashboard/views/facilities.py)
urlpatterns += [
    path("facilities/", facilities.facility_list, name="facility_list"),
    path("facilities/new/", facilities.facility_create, name="facility_create"),
    path("facilities/<int:pk>/", facilities.facility_detail, name="facility_detail"),
    path("facilities/<int:pk>/edit/", facilities.facility_edit, name="facility_edit"),
    path(
        "facilities/<int:pk>/quality-checks/new/",
        facilities.facility_quality_check,
        name="facility_quality_check",
    ),
    path("facilities/<int:pk>/beds/new/", facilities.facility_bed_add, name="facility_bed_add"),
    path(
        "facilities/beds/<int:pk>/retire/",
        facilities.facility_bed_retire,
        name="facility_bed_retire",
    ),
    path("facilities/<int:pk>/admit/", facilities.facility_admit, name="facility_admit"),
    path(
        "facilities/placements/<int:pk>/discharge/",
        facilities.facility_discharge,
        name="facility_discharge",
    ),
    path(
        "facilities/<int:pk>/staff/new/", facilities.facility_staff_add, name="facility_staff_add"
    ),
    path(
        "facilities/staff/<int:pk>/left/", facilities.facility_staff_end, name="facility_staff_end"
    ),
    path(
        "facilities/staff/<int:pk>/certificates/new/",
        facilities.facility_certificate_add,
        name="facility_certificate_add",
    ),
    path("facilities/<int:pk>/funds/", facilities.facility_funds, name="facility_funds"),
]
# 结对扶老 and the volunteer register (dashboard/views/volunteers.py)
urlpatterns += [
    path("pairings/", volunteers.pairing_overview, name="pairing_overview"),
    path("volunteers/", volunteers.volunteer_register, name="volunteer_register"),
]
# claims of volunteers' hours: the verification queue and paper records (dashboard/views/claims.py)
urlpatterns += [
    path("claims/", claims.claim_queue, name="claim_queue"),
    path("claims/paper/", claims.claim_paper, name="claim_paper"),
    path("claims/<int:pk>/verify/", claims.claim_verify, name="claim_verify"),
    path("claims/<int:pk>/reject/", claims.claim_reject, name="claim_reject"),
]
# a volunteer's own pages on the phone, working offline (dashboard/views/me.py)
from dashboard.views import me  # noqa: E402

urlpatterns += [
    path("me/", me.me_home, name="me_home"),
    path("me/claims/new/", me.me_claim_new, name="me_claim_new"),
    path("me/claims/", me.me_claims, name="me_claims"),
    path("me/statement/", me.me_statement, name="me_statement"),
    path("me/sw.js", me.me_sw, name="me_sw"),
]
