"""Alerts: watch terms (saved searches) and the webhooks told of new versions.

What matched and what is owed are written by the archive with the versions themselves
(storage/alerts.py); this package turns the config into rules (``rules``) and sends the
owed webhook deliveries, retrying with backoff (``webhooks``).
"""
