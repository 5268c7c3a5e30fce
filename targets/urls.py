from django.urls import path

from . import dashboard_views, views
from .disparity_views import indicator_disparities
from .plans import views as plans

app_name = "targets"

urlpatterns = [
    path("dashboard/", dashboard_views.overview, name="dashboard"),
    path("dashboard/export.<str:fmt>", dashboard_views.export, name="dashboard-export"),
    path("dashboard/board-pack/", dashboard_views.board_pack, name="board-pack"),
    path("dashboard/board-pack.pdf", dashboard_views.board_pack_pdf, name="board-pack-pdf"),
    path("priorities/", views.priority_list, name="priorities"),
    path("priorities/<slug:slug>/", views.priority_detail, name="priority"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/disparities/", indicator_disparities, name="indicator-disparities"),
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
    # --- Plans and sign-off ---------------------------------------------------------------------
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/", plans.plan_create, name="plan-create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/history/", plans.plan_history, name="plan-history"),
    path("plans/<int:pk>/compare/", plans.plan_compare, name="plan-compare"),
    path("plans/<int:pk>/new-version/", plans.plan_version_start, name="plan-version-start"),
    path("plans/<int:pk>/versions/<int:number>/", plans.version_detail, name="plan-version"),
    path("plans/<int:pk>/versions/<int:number>/send/", plans.version_send, name="plan-version-send"),
    path("plans/<int:pk>/versions/<int:number>/print/", plans.version_print, name="plan-version-print"),
    path("plans/<int:pk>/versions/<int:number>/plan.pdf", plans.version_pdf, name="plan-version-pdf"),
    path("plans/<int:pk>/versions/<int:number>/sections/new/", plans.section_add, name="plan-section-add"),
    path("plans/<int:pk>/versions/<int:number>/sections/<str:key>/edit/", plans.section_edit, name="plan-section-edit"),
    path(
        "plans/<int:pk>/versions/<int:number>/sections/<str:key>/comments/", plans.comment_add, name="plan-comment-add"
    ),
    path("plans/<int:pk>/versions/<int:number>/actions/new/", plans.action_add, name="plan-action-add"),
    path("plans/<int:pk>/versions/<int:number>/actions/<str:key>/edit/", plans.action_edit, name="plan-action-edit"),
    path(
        "plans/<int:pk>/versions/<int:number>/actions/<str:key>/progress/",
        plans.action_progress,
        name="plan-action-progress",
    ),
    path("plans/<int:pk>/versions/<int:number>/what-changed/", plans.version_note, name="plan-version-note"),
    path(
        "plans/<int:pk>/versions/<int:number>/sections/<str:key>/comments/<int:comment_id>/resolve/",
        plans.comment_resolve,
        name="plan-comment-resolve",
    ),
    path("plans/<int:pk>/versions/<int:number>/documents/new/", plans.attachment_add, name="plan-attachment-add"),
    path(
        "plans/<int:pk>/versions/<int:number>/documents/<int:attachment_id>/",
        plans.attachment_download,
        name="plan-attachment",
    ),
    path(
        "plans/<int:pk>/versions/<int:number>/sign-offs/<slug:partner>/sign/",
        plans.signoff_sign,
        name="plan-signoff-sign",
    ),
    path(
        "plans/<int:pk>/versions/<int:number>/sign-offs/<slug:partner>/return/",
        plans.signoff_return,
        name="plan-signoff-return",
    ),
]
