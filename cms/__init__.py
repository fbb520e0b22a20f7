"""Wagtail pages of the help center: categories, articles, translations, feedback, API."""
