"""Every write to tipline's tables goes through a function in this package.

tips.py: tips and tipster messages for every channel, on cases opened by cases.services.
Channel modules (web.py, sms/...) build on it.
"""
