"""Local development: the embedded default with debugging on unless told otherwise."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = env.bool("DEBUG", True)
