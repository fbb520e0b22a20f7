from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The portal's front door: search the help center, or start a request."""
    return render(request, "portal/home.html")
