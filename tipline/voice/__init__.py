"""Voice tips through Twilio: the call's TwiML (flow.py), what is said in English and
Spanish (texts.py), and the recording's fetch, encrypted storage and deletion at Twilio
(recording.py). The webhooks are tipline/voice_views.py, under /voice/."""
