"""HTTP to the central server: three calls, typed answers, and errors sorted by what to do next.

- `ServerUnavailable`: the network, a timeout, a 5xx or 429, an answer that is not ours: try again
  later with backoff; nothing was lost because the outbox is only marked after an answer. A 429 or
  503 carries the server's Retry-After (`retry_after`, seconds): the worker waits at least that long.
- `ServerUntrusted` (a `ServerUnavailable`): the server's TLS certificate failed verification, so
  the connection was dropped in the handshake and nothing was sent.
- `NotAuthorized`: 401/403: the kiosk was never enrolled or was revoked; retrying will not help
  until an administrator acts, so the worker waits at its longest backoff.
- `BatchRefused`: 413/422: the server will not take this batch as it is; `bad_indexes` names the
  events it pointed at (set aside as refused); a refusal naming none is treated as a failure.

TLS certificates are verified unless the office configuration turns it off explicitly; with
`[server] ca_file` they are verified against the office's own CA bundle instead of the public CAs.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import ssl
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import ValidationError

from kiosk.errors import KnownError
from kiosk.wire import (
    API_PREFIX,
    EnrolRequest,
    EnrolResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    QueueClaimRefused,
    QueueClaimRequest,
    QueueClaimResponse,
    QueuePullResponse,
    QueuePushRequest,
    QueuePushResponse,
    WhoAmI,
    WireEvent,
    WireQueueEvent,
)

log = logging.getLogger(__name__)

USER_AGENT = "counter-kiosk-sync/1"
M = TypeVar(
    "M",
    PushResponse,
    PullResponse,
    WhoAmI,
    EnrolResponse,
    QueuePushResponse,
    QueuePullResponse,
    QueueClaimResponse,
    QueueClaimRefused,
)


class SyncError(KnownError):
    exit_code = 7


class ServerUnavailable(SyncError):
    def __init__(self, detail: str, *, retry_after: float | None = None) -> None:
        super().__init__(
            "ติดต่อระบบกลางไม่ได้ จะลองใหม่อัตโนมัติ", f"The central server is unreachable: {detail}", detail=detail
        )
        self.retry_after = retry_after  # seconds the server asked us to wait (429/503), if it said


class ServerUntrusted(ServerUnavailable):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        SyncError.__init__(
            self,
            "ระบบกลางแสดงใบรับรองความปลอดภัย (TLS) ที่ตู้นี้ไม่เชื่อถือ จึงไม่ได้ส่งข้อมูลใด ๆ "
            "กรุณาแจ้งผู้ดูแลระบบตรวจสอบที่อยู่ระบบกลาง หรือกำหนด [server] ca_file",
            "The central server's TLS certificate is not trusted, so nothing was sent: check the server "
            f"address, or set [server] ca_file to the office CA bundle ({detail})",
            detail=detail,
        )


def tls_verify(verify_tls: bool = True, ca_file: Path | str | None = None) -> ssl.SSLContext | bool:
    """What httpx checks the server's certificate with: the office CA bundle, the public CAs, or
    nothing at all (only when the configuration says `verify_tls = false`)."""
    if not verify_tls:
        return False
    if ca_file is not None:
        try:
            return ssl.create_default_context(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise SyncError(
                f"อ่านไฟล์ใบรับรอง {ca_file} ไม่ได้",
                f"Cannot use the CA bundle {ca_file}: {exc}",
            ) from exc
    return True


def _unavailable(exc: httpx.HTTPError) -> ServerUnavailable:
    """A transport failure, told apart from a certificate we refused."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return ServerUntrusted(str(cause.verify_message or cause)[:200])
        cause = cause.__cause__ or cause.__context__
    if "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return ServerUntrusted(str(exc)[:200])
    return ServerUnavailable(f"{type(exc).__name__}: {exc}"[:300])


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date; None when absent or unreadable."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        # A number of seconds; anything past a day is a day (and int() never sees 5,000 digits).
        return 86_400.0 if len(value) > 5 else float(min(int(value), 86_400))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, min((when - dt.datetime.now(dt.UTC)).total_seconds(), 86_400.0))


class NotAuthorized(SyncError):
    exit_code = 8

    def __init__(self, detail: str) -> None:
        super().__init__(
            "ระบบกลางไม่รับรองตู้นี้ (ยังไม่ลงทะเบียนหรือถูกเพิกถอน) กรุณาติดต่อผู้ดูแลระบบ",
            f"The central server refuses this kiosk (not enrolled or revoked): {detail}",
            detail=detail,
        )


class BatchRefused(SyncError):
    def __init__(self, detail: str, bad_indexes: frozenset[int], *, too_large: bool = False) -> None:
        super().__init__(
            "ระบบกลางไม่รับข้อมูลชุดนี้", f"The central server refused the batch: {detail}", detail=detail
        )
        self.bad_indexes = bad_indexes
        self.too_large = too_large


def _bad_indexes(body: Any) -> frozenset[int]:
    """Which events a 422 points at: FastAPI names them as ("body", "events", index, ...)."""
    found: set[int] = set()
    if isinstance(body, dict) and isinstance(body.get("detail"), list):
        for item in body["detail"]:
            loc = item.get("loc") if isinstance(item, dict) else None
            if (
                isinstance(loc, list)
                and len(loc) >= 3
                and loc[:2] == ["body", "events"]
                and type(loc[2]) is int  # not a bool: True is not position 1
                and loc[2] >= 0  # -1 would name the batch's last event, which the server did not
            ):
                found.add(loc[2])
    return frozenset(found)


class CentralClient:
    """One kiosk's connection to the server; not shared between threads.

    When the server answers 429 or 503 with Retry-After, every client of that server in this
    process refuses to send anything until the time is up (raising `ServerUnavailable` at once):
    the worker builds a new client for each pass, and its backoff alone could come back sooner.
    """

    _hold: ClassVar[dict[str, float]] = {}  # server URL -> time.monotonic() before which we wait
    _hold_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        url: str,
        token: str,
        *,
        verify_tls: bool = True,
        ca_file: Path | str | None = None,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url + API_PREFIX,
            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
            verify=tls_verify(verify_tls, ca_file),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(
        self, method: str, path: str, *, allow: frozenset[int] = frozenset(), **kwargs: Any
    ) -> httpx.Response:
        """One request, honouring the server's Retry-After; statuses in `allow` are the caller's."""
        with self._hold_lock:
            remaining = self._hold.get(self.url, 0.0) - time.monotonic()
        if remaining > 0:
            raise ServerUnavailable(f"the server asked to wait {remaining:.0f} s more", retry_after=remaining)
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise _unavailable(exc) from exc
        if response.status_code in allow:
            return response
        try:
            return _check(response)
        except ServerUnavailable as exc:
            if exc.retry_after:
                with self._hold_lock:
                    self._hold[self.url] = time.monotonic() + exc.retry_after
            raise

    def push(self, events: Sequence[WireEvent]) -> PushResponse:
        body = PushRequest.model_construct(events=list(events)).model_dump_json()
        response = self._send(
            "POST", "/events", content=body.encode(), headers={"Content-Type": "application/json"}
        )
        return _parse(PushResponse, response)

    def pull(self, after: int, limit: int = 500) -> PullResponse:
        response = self._send("GET", "/changes", params={"after": after, "limit": limit})
        return _parse(PullResponse, response)

    def whoami(self) -> WhoAmI:
        return _parse(WhoAmI, self._send("GET", "/kiosk"))

    # --- the office queue (kiosk.sync.queue_sync) --------------------------------------------

    def push_queue(self, events: Sequence[WireQueueEvent]) -> QueuePushResponse:
        body = QueuePushRequest.model_construct(events=list(events)).model_dump_json()
        response = self._send(
            "POST", "/queue/events", content=body.encode(), headers={"Content-Type": "application/json"}
        )
        return _parse(QueuePushResponse, response)

    def pull_queue(self, after: int, limit: int = 500, since: str | None = None) -> QueuePullResponse:
        params: dict[str, Any] = {"after": after, "limit": limit}
        if since:
            params["since"] = since
        return _parse(QueuePullResponse, self._send("GET", "/queue/events", params=params))

    def claim(self, event: WireQueueEvent) -> QueueClaimRefused | None:
        """Ask to call a ticket: None when the server recorded the call, else who holds the ticket."""
        body = QueueClaimRequest(event=event).model_dump_json().encode()
        response = self._send(
            "POST",
            "/queue/claim",
            allow=frozenset({409}),
            content=body,
            headers={"Content-Type": "application/json"},
        )
        if response.status_code == 409:
            return _parse(QueueClaimRefused, response)
        _parse(QueueClaimResponse, response)
        return None

    @staticmethod
    def enrol(
        url: str,
        code: str,
        *,
        verify_tls: bool = True,
        ca_file: Path | str | None = None,
        timeout: float = 15.0,
    ) -> EnrolResponse:
        body = EnrolRequest(code=code.strip()).model_dump_json()
        verify = tls_verify(verify_tls, ca_file)
        try:
            with httpx.Client(verify=verify, timeout=timeout, headers={"User-Agent": USER_AGENT}) as http:
                response = http.post(
                    url.rstrip("/") + API_PREFIX + "/enrol",
                    content=body.encode(),
                    headers={"Content-Type": "application/json"},
                )
        except httpx.HTTPError as exc:
            raise _unavailable(exc) from exc
        if response.status_code in (400, 401, 403, 404, 422):
            raise NotAuthorized("the enrolment code is wrong, used or expired")
        return _parse(EnrolResponse, _check(response))


def _check(response: httpx.Response) -> httpx.Response:
    code = response.status_code
    if code < 300:
        return response
    if code in (401, 403):
        raise NotAuthorized(f"HTTP {code}")
    if code in (413, 422):
        try:
            body = response.json()
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            body = None
        names = _bad_indexes(body)
        first = body["detail"][0] if names and isinstance(body, dict) else None
        why = f": {first.get('msg', '')}"[:200] if isinstance(first, dict) else ""
        raise BatchRefused(f"HTTP {code}{why}", names, too_large=code == 413)
    if code in (429, 503):
        wait = retry_after(response)
        return_in = f", retry after {wait:.0f} s" if wait is not None else ""
        raise ServerUnavailable(f"HTTP {code}{return_in}", retry_after=wait)
    raise ServerUnavailable(f"HTTP {code}")


def _parse(model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        # A proxy's error page or a truncated body: the server did not really answer.
        raise ServerUnavailable(f"unexpected answer ({exc.error_count()} problem(s))") from exc
