"""HTTP to the central server: three calls, typed answers, and errors sorted by what to do next.

- `ServerUnavailable`: the network, a timeout, a 5xx or 429, an answer that is not ours: try again
  later with backoff; nothing was lost because the outbox is only marked after an answer.
- `NotAuthorized`: 401/403: the kiosk was never enrolled or was revoked; retrying will not help
  until an administrator acts, so the worker waits at its longest backoff.
- `BatchRefused`: 413/422: the server will not take this batch as it is; `bad_indexes` names the
  events it pointed at (set aside as refused); a refusal naming none is treated as a failure.

TLS certificates are verified unless the office configuration turns it off explicitly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

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
    WhoAmI,
    WireEvent,
)

log = logging.getLogger(__name__)

USER_AGENT = "counter-kiosk-sync/1"
M = TypeVar("M", PushResponse, PullResponse, WhoAmI, EnrolResponse)


class SyncError(KnownError):
    exit_code = 7


class ServerUnavailable(SyncError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "ติดต่อระบบกลางไม่ได้ จะลองใหม่อัตโนมัติ", f"The central server is unreachable: {detail}", detail=detail
        )


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
                and isinstance(loc[2], int)
            ):
                found.add(loc[2])
    return frozenset(found)


class CentralClient:
    """One kiosk's connection to the server; not shared between threads."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        verify_tls: bool = True,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url + API_PREFIX,
            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
            verify=verify_tls,
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

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc
        return _check(response)

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

    @staticmethod
    def enrol(url: str, code: str, *, verify_tls: bool = True, timeout: float = 15.0) -> EnrolResponse:
        body = EnrolRequest(code=code.strip()).model_dump_json()
        try:
            with httpx.Client(verify=verify_tls, timeout=timeout, headers={"User-Agent": USER_AGENT}) as http:
                response = http.post(
                    url.rstrip("/") + API_PREFIX + "/enrol",
                    content=body.encode(),
                    headers={"Content-Type": "application/json"},
                )
        except httpx.HTTPError as exc:
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc
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
        except ValueError:
            body = None
        names = _bad_indexes(body)
        first = body["detail"][0] if names and isinstance(body, dict) else None
        why = f": {first.get('msg', '')}"[:200] if isinstance(first, dict) else ""
        raise BatchRefused(f"HTTP {code}{why}", names, too_large=code == 413)
    raise ServerUnavailable(f"HTTP {code}")


def _parse(model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        # A proxy's error page or a truncated body: the server did not really answer.
        raise ServerUnavailable(f"unexpected answer ({exc.error_count()} problem(s))") from exc
