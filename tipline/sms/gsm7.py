"""GSM 03.38 (GSM-7) segment counting.

A single SMS carries 160 GSM-7 characters; a concatenated one 153 per segment (the rest is
the reassembly header). Characters of the extension table (such as € [ ] { }) take two
septets. Any character outside both tables switches the whole message to UCS-2: 70
characters alone, 67 per segment when concatenated.
"""

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def septet_count(text: str) -> int:
    return sum(2 if char in GSM7_EXTENSION else 1 for char in text)


def segment_count(text: str) -> int:
    """How many SMS segments a carrier bills for `text`."""
    if not text:
        return 1
    if is_gsm7(text):
        length, single, multi = septet_count(text), 160, 153
    else:
        # UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two.
        length, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    if length <= single:
        return 1
    return -(-length // multi)
