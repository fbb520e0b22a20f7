"""Tickets, comments, attachments, queues, lifecycle, SLA, email and the agent workspace."""
