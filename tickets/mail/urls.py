from django.urls import path

from tickets.mail import views

app_name = "tickets_mail"

urlpatterns = [
    path("requests/rate/<str:token>", views.rate_link, name="rate-link"),
    path("requests/<int:number>/rate", views.rate_form, name="rate"),
    path("agent/csat", views.csat_report, name="csat-report"),
]
