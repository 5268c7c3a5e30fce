from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("priorities/", views.priority_list, name="priorities"),
    path("priorities/<slug:slug>/", views.priority_detail, name="priority"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("data-returns/", views.data_return_list, name="returns"),
    # NOTE: the start page's data-returns section (targets/home_items.py) links by this name.
    path("data-returns/", views.data_return_list, name="data-returns"),
    path("data-returns/upload/", views.data_return_upload, name="data-return-upload"),
    path("data-returns/template.<str:fmt>", views.data_return_template, name="data-return-template"),
    path("data-returns/<int:pk>/", views.data_return_detail, name="data-return"),
    path("data-returns/<int:pk>/progress/", views.data_return_progress, name="data-return-progress"),
    path("data-returns/<int:pk>/report.csv", views.data_return_report_download, name="data-return-report"),
    path(
        "data-returns/<int:pk>/revised-figures.csv", views.data_return_revisions_download, name="data-return-revisions"
    ),
    path("data-returns/<int:pk>/apply/", views.data_return_apply, name="data-return-apply"),
    path("data-returns/<int:pk>/applied/", views.data_return_applied, name="data-return-applied"),
]
