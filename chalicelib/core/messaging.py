"""Publish/subscribe with polling, message status, and email, per app.

A channel is a DynamoDB partition ordered by delivery time, so `publishAt` delays a message
simply by where it sorts. A polling subscription keeps the position it has read up to and
moves it with a conditional write, so concurrent polls hand each message out once.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import validate
from .errors import Forbidden, InvalidInput, NotFound, TooLarge, TooManyRequests, VersionConflict
from .ids import uuid7
from .ports import CounterStore, Mailer, MessageStore
from .retry import retry_optimistic

CHANNEL_RE = re.compile(r"^[A-Za-z0-9_\-.]{1,64}$")
MESSAGE_TTL_S = 86_400  # messages and statuses are kept a day
MAX_DELAY_MS = 365 * 86_400_000  # publishAt at most a year ahead: the delivery time is a 13-digit sort key
MAX_MESSAGE_BYTES = 256_000  # as SNS and SQS; a DynamoDB item stops at 400 KB
MAX_RECIPIENTS = 50  # Amazon SES: 50 destinations per message
SUBSCRIPTION_TTL_S = 3_600  # a polling subscription lives an hour after its last poll
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _channel(name: str) -> str:
    if not isinstance(name, str) or not CHANNEL_RE.match(name):
        raise InvalidInput(f"invalid channel name: {name}")
    return name


class Messaging:
    def __init__(self, store: MessageStore, mailer: Mailer, clock: Callable[[], float] = time.time) -> None:
        self.store, self.mailer, self.clock = store, mailer, clock

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def publish(self, app: str, channel: str, message: Any, headers: Any = None, publish_at: Any = None,
                publisher: str | None = None) -> dict[str, Any]:
        channel = _channel(channel)
        if headers is not None and not isinstance(headers, dict):
            raise InvalidInput("headers must be an object")
        now = self._now_ms()
        if publish_at in (None, "", 0):
            at = now
        elif isinstance(publish_at, (int, float)) and not isinstance(publish_at, bool):
            at = max(now, validate.epoch_ms(publish_at, "publishAt"))
            if at > now + MAX_DELAY_MS:
                raise InvalidInput(f"publishAt is at most {MAX_DELAY_MS // 86_400_000} days ahead")
        else:
            raise InvalidInput("publishAt must be a timestamp in milliseconds")
        mid = uuid7()
        doc = {"messageId": mid, "data": message, "headers": headers or {}, "timestamp": at,
               "publisherId": publisher, "publishedAt": now}
        if len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_MESSAGE_BYTES:
            raise TooLarge(f"a message (data and headers) stops at {MAX_MESSAGE_BYTES} bytes")
        self.store.publish(app, channel, mid, at, doc, int(self.clock()) + MESSAGE_TTL_S + max(0, at - now) // 1000)
        return {"messageId": mid, "status": "published" if at <= now else "scheduled", "errorMessage": None}

    def status(self, app: str, message_id: str) -> dict[str, Any]:
        got = self.store.status(app, message_id) if isinstance(message_id, str) else None
        if got is None:
            raise NotFound(f"message {message_id} not found")
        done = int(got["publishAt"]) <= self._now_ms()
        return {"messageId": message_id, "status": "published" if done else "scheduled", "errorMessage": None}

    def subscribe(self, app: str, channel: str, selector: str | None = None) -> str:
        channel = _channel(channel)
        sid = uuid7()
        after = f"{self._now_ms():013d}"
        self.store.put_subscription(app, sid, {"channel": channel, "after": after},
                                    int(self.clock()) + SUBSCRIPTION_TTL_S)
        return sid

    def poll(self, app: str, channel: str, sub_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """Messages delivered since the last poll, each handed out once (lost races retry).

        Both bounds of the read come from this clock: `after` is the last key handed out (or this
        subscription's start), `upto` now; another container's clock running ahead could have set
        `after` past our now, and that read is empty rather than a reversed range."""

        def attempt() -> list[dict[str, Any]]:
            sub = self.store.subscription(app, sub_id)
            if sub is None or sub.get("channel") != channel:
                raise NotFound(f"subscription {sub_id} not found")
            upto = f"{self._now_ms():013d}#\U0010ffff"
            if upto <= sub["after"] + "\x00":
                return []
            got = self.store.read(app, channel, sub["after"], upto, limit)
            if not got:
                return []
            if not self.store.advance(app, sub_id, sub["after"], got[-1][0], int(self.clock()) + SUBSCRIPTION_TTL_S):
                raise VersionConflict()
            return [doc for _, doc in got]

        return retry_optimistic(attempt, tries=5)

    def send_email(self, to: Any, subject: Any, text: Any = None, html: Any = None) -> str:
        recipients = [to] if isinstance(to, str) else to
        if not isinstance(recipients, list) or not recipients or not all(
                isinstance(r, str) and len(r) <= 254 and EMAIL_RE.match(r) for r in recipients):
            raise InvalidInput("'to' must be a list of email addresses")
        if len(recipients) > MAX_RECIPIENTS:
            raise InvalidInput(f"an email goes to at most {MAX_RECIPIENTS} recipients (Amazon SES's limit)")
        if not isinstance(subject, str) or not subject or len(subject) > 998:
            raise InvalidInput("subject is required (at most 998 characters)")
        if sum(len(str(x).encode()) for x in (text, html) if x is not None) > MAX_MESSAGE_BYTES * 2:
            raise TooLarge(f"an email body stops at {MAX_MESSAGE_BYTES * 2} bytes")
        if text is None and html is None:
            raise InvalidInput("bodyparts needs textmessage or htmlmessage")
        return self.mailer.send(list(recipients), subject, _opt(text), _opt(html))


@dataclass(frozen=True)
class MailLimits:
    """Per-app email limits (settings BAAS_MAIL_DAILY_QUOTA, BAAS_MAIL_MAX_RECIPIENTS, per stage)."""

    daily_quota: int = 200
    max_recipients: int = 10


class MailQuotaExceeded(TooManyRequests):
    default_message = "the application's daily email quota is used up"


def send_app_email(messaging: Messaging, counters: CounterStore, app: str, limits: MailLimits, *,
                   privileged: bool, is_member: Callable[[str], bool], to: Any, subject: Any,
                   text: Any = None, html: Any = None, now_s: float | None = None) -> str:
    """Email on behalf of an app, decided here for every dialect (no open relay).

    - at most `max_recipients` addresses per message, whoever sends;
    - callers other than the app itself (app credentials, admins, master key) may write only to
      the app's own users (each address must be a registered user's email: one GetItem each);
    - every app has a daily quota of recipients, counted with one atomic ADD on the counters
      table under `<app>#mail` (a partition the counters API cannot name) before sending.
    """
    recipients = [to] if isinstance(to, str) else to
    if isinstance(recipients, list) and len(recipients) > limits.max_recipients:
        raise InvalidInput(f"at most {limits.max_recipients} recipients per email")
    if not isinstance(recipients, list) or not recipients or not all(
            isinstance(r, str) and EMAIL_RE.match(r) for r in recipients):
        raise InvalidInput("'to' must be a list of email addresses")
    if not privileged:
        strangers = [r for r in recipients if not is_member(r)]
        if strangers:
            raise Forbidden("email goes only to the application's users unless the application itself sends it")
    day = time.strftime("%Y%m%d", time.gmtime(now_s if now_s is not None else time.time()))
    used = counters.add(f"{app}#mail", day, len(recipients))
    if used > limits.daily_quota:
        counters.add(f"{app}#mail", day, -len(recipients))
        raise MailQuotaExceeded(f"the application's daily quota of {limits.daily_quota} emails is used up")
    return messaging.send_email(recipients, subject, text, html)


def _opt(v: Any) -> str | None:
    return None if v is None else str(v)


def emails(values: Sequence[Any]) -> list[str]:
    return [v for v in values if isinstance(v, str) and EMAIL_RE.match(v)]
