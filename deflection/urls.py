from django.urls import path

from deflection import api, views

app_name = "deflection"

urlpatterns = [
    path("requests/new", views.new_request, name="new"),
    path("requests/new/s/<uuid:session_id>/review", views.review, name="review"),
    path("requests/new/s/<uuid:session_id>/open/<str:article_id>", views.open_article, name="open"),
    path("requests/new/s/<uuid:session_id>/outcome", views.record_outcome, name="outcome"),
    path("requests/new/s/<uuid:session_id>/done", views.done, name="done"),
    path("api/deflection/suggest", api.SuggestView.as_view(), name="api-suggest"),
    path("api/deflection/sessions/<str:session_id>/events", api.SessionEventsView.as_view(), name="api-events"),
]
