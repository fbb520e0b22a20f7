from django.urls import path

from cms import views
from cms.api import api_router

urlpatterns = [
    path("help/_feedback/<int:article_id>/", views.article_feedback, name="cms_feedback"),
    path("api/v2/", api_router.urls),
]
