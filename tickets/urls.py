from django.urls import path

from tickets import api, views

app_name = "tickets"

urlpatterns = [
    path("requests/", views.request_list, name="list"),
    path("requests/new/ticket", views.ticket_new, name="new"),
    path("requests/solve/<str:token>", views.solve_link, name="solve-link"),
    path("requests/<int:number>", views.request_detail, name="detail"),
    path("requests/<int:number>/solve", views.request_solve, name="solve"),
    path("requests/<int:number>/files/<int:attachment_id>", views.attachment_download, name="attachment"),
    path("api/tickets/", api.TicketListCreate.as_view(), name="api-list"),
    path("api/tickets/<int:number>/", api.TicketDetail.as_view(), name="api-detail"),
    path("api/tickets/<int:number>/comments/", api.TicketComments.as_view(), name="api-comments"),
    path("api/tickets/<int:number>/attachments/", api.TicketAttachments.as_view(), name="api-attachments"),
    path(
        "api/tickets/<int:number>/attachments/<int:attachment_id>/",
        api.TicketAttachmentDownload.as_view(),
        name="api-attachment",
    ),
    path("api/tickets/<int:number>/status/", api.TicketStatus.as_view(), name="api-status"),
]
