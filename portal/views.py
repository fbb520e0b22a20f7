from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import NotFound


def home(request: HttpRequest) -> HttpResponse:
    """The portal's front door: search the help center, or start a request."""
    return render(request, "portal/home.html")


@csrf_exempt  # it changes nothing; a CSRF refusal would answer an HTML page to an API client
def api_not_found(request: HttpRequest) -> JsonResponse:
    """A path under ``/api/`` that no endpoint matches (``/api/tickets/-1/``): JSON, like the API's own 404."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
