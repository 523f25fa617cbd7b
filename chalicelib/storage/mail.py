"""Email through Amazon SES (moto captures it locally and in tests)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

_lock = threading.Lock()


class SesMailer:
    def __init__(self, sender: str, region: str) -> None:
        self.sender, self.region = sender, region
        self._client: Any = None

    @property
    def ses(self) -> Any:
        if self._client is None:
            with _lock:
                if self._client is None:
                    from .clients import client

                    self._client = client("ses", self.region)
        return self._client

    def send(self, to: Sequence[str], subject: str, text: str | None, html: str | None) -> str:
        body: dict[str, Any] = {}
        if text is not None:
            body["Text"] = {"Data": text, "Charset": "UTF-8"}
        if html is not None:
            body["Html"] = {"Data": html, "Charset": "UTF-8"}
        got = self.ses.send_email(Source=self.sender, Destination={"ToAddresses": list(to)},
                                  Message={"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": body})
        return str(got["MessageId"])
