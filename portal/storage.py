"""Where files that must never have a public URL live (ticket attachments).

They are kept under ``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT`` (which the dev server and a
proxy may serve as they are), and only the permission-checked views read them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateFileSystemStorage(FileSystemStorage):
    """A local folder with no URL: asking a file for its URL is a bug, not a link to leak."""

    @cached_property
    def base_location(self) -> str:
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL: serve them through a view that checks permissions")

    def _clear_cached_properties(self, setting: str, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)
