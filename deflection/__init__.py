"""Suggestions while a customer drafts, deflection sessions, funnel analytics, offline evaluation."""
