"""The staff API for cases, tips and summaries (mounted by config/api_urls.py under /api/v1/).

Thin over tipline.selectors and tipline.services: every read is scoped by the selectors,
every write goes through the same service the staff pages call, and every error is shaped by
config.api.api_exception_handler.
"""
