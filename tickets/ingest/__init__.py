"""Email in: a received message becomes a ticket or a reply through ``tickets.services``.

Apart from ``tickets.mail`` (models, parsing, addresses, the outbound pipeline), which the
services use to promise their emails: ingest sits above the services, the mail pipeline below.
"""
