"""SMS intake and replies through Twilio.

backends.py  where outbound texts go (console, locmem, twilio), chosen by SMS_BACKEND
gsm7.py      segment counting, so automatic replies stay within two SMS segments
keywords.py  carrier keywords (STOP, START, HELP...) and the reply texts
inbound.py   the webhook's service: threading, routing, opt-out, floods
outbound.py  counselor replies: claim, send, delivery status, failures
media.py     MMS pictures: fetch, strip, store encrypted, delete at Twilio
"""
