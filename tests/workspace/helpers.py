"""What the workspace tests share: posting a form as a browser or as htmx does."""


def posted(client, url: str, data: dict | None = None, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data or {}, headers=headers)
