"""Every write to tipline's tables goes through a function in this package.

cases.py: the case core shared by every channel (open, add tips and messages, events).
Channel modules (web.py, sms/...) build on it.
"""
