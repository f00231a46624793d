from django.urls import path

from . import views as summary_views

app_name = "summaries"

urlpatterns = [
    path("", summary_views.summary_home, name="home"),
    path("schools/<int:school_id>/", summary_views.school_page, name="school"),
    path(
        "schools/<int:school_id>/cases-deidentified.csv",
        summary_views.school_case_list,
        name="school_case_list",
    ),
    path("schools/<int:school_id>/<slug:slug>.csv", summary_views.school_csv, name="school_csv"),
    path("districts/<int:district_id>/", summary_views.district_page, name="district"),
    path(
        "districts/<int:district_id>/cases-deidentified.csv",
        summary_views.district_case_list,
        name="district_case_list",
    ),
    path(
        "districts/<int:district_id>/annual-report/",
        summary_views.annual_page,
        name="annual",
    ),
    path(
        "districts/<int:district_id>/annual-report.csv",
        summary_views.annual_csv,
        name="annual_csv",
    ),
    path(
        "districts/<int:district_id>/<slug:slug>.csv",
        summary_views.district_csv,
        name="district_csv",
    ),
]
