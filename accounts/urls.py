from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("settings", views.settings_page, name="accounts-settings"),
    path("settings/", views.settings_page),
    path(
        "settings/contact-email/<str:token>/",
        views.contact_email_verify,
        name="accounts-contact-email-verify",
    ),
]
