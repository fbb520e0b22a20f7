from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page template needs: product name, languages and the community link."""
    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "community_url": settings.COMMUNITY_URL,
    }
