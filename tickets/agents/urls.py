from django.urls import path

from tickets.agents import views

app_name = "agents"

urlpatterns = [
    path("agent/", views.queue, name="queue"),
    path("agent/bulk", views.bulk, name="bulk"),
    path("agent/tickets/<int:number>", views.ticket_detail, name="ticket"),
    path("agent/tickets/<int:number>/update", views.ticket_update, name="update"),
    path("agent/tickets/<int:number>/articles", views.article_search, name="article-search"),
    path("agent/tickets/<int:number>/draft-article", views.draft_article, name="draft-article"),
]
