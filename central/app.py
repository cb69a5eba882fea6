"""The HTTP face of the central server: the kiosk API, the officers' API and their web pages.

Built by `create_app(database_url)`; `app_from_env()` is the factory `kiosk-central serve` hands to
uvicorn so that several worker processes (or machines) can serve one database. Nothing is kept in a
process between requests: authentication reads the database every time, so a revoked kiosk is
refused on its very next request.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central import bank, privacy, web
from central.db import ENV_URL, Database, default_url, upgrade
from central.queue import queue_router
from central.schemas import (
    ActionRequest,
    BankImportReport,
    BankLineOut,
    CaseDetailOut,
    CaseOut,
    Dashboard,
    KioskOut,
)
from central.security import Limits, RateLimiter
from central.service import CentralService, ConflictError
from kiosk import __version__
from kiosk.config import RESOURCES
from kiosk.domain.catalog import Catalog
from kiosk.domain.sla import WorkingCalendar, national_holidays
from kiosk.domain.workflow import CaseState, TransitionError
from kiosk.errors import KnownError, NotFoundError
from kiosk.wire import (
    API_PREFIX,
    CASE_NUMBER_PATTERN,
    KIOSK_ID_PATTERN,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    PullResponse,
    PushRequest,
    PushResponse,
    WhoAmI,
    utcnow,
)

log = logging.getLogger(__name__)

MAX_BODY = 8 * 1024 * 1024
ENV_CATALOG = "CENTRAL_CATALOG_DIR"
ENV_MAX_BODY = "CENTRAL_MAX_BODY"
ENV_LIMITS = "CENTRAL_RATE_LIMITS"


class BodyLimit:
    """Refuse request bodies over `limit` bytes (413), declared or streamed, before they are parsed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await _too_large(send)
                    return
        seen = 0
        started = refused = False

        async def counting_receive() -> Message:
            # Past the limit the 413 goes out at once and the app is told the client left: an
            # exception here would reach FastAPI's body reader, which answers it with a 400.
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    if not started:
                        await _too_large(send)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the app's answer to a body it never got whole: the 413 has been sent
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, tracking_send)


async def _too_large(send: Send) -> None:
    body = b'{"detail":"request body too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def build_service(database_url: str, catalog_dir: Path | None = None) -> CentralService:
    catalog = Catalog.load(catalog_dir or RESOURCES / "services")
    import datetime as dt

    year = dt.date.today().year
    calendar = WorkingCalendar(national_holidays(range(year - 1, year + 3)))
    return CentralService(Database(database_url), catalog, calendar)


_bearer = HTTPBearer(auto_error=False)
_basic = HTTPBasic(auto_error=False, realm="office")


def _service_of(request: Request) -> CentralService:
    service: CentralService = request.app.state.service
    return service


class RateLimited(Exception):
    """Answered 429 with Retry-After: the client may come back after that many seconds."""

    def __init__(self, retry_after: int, message_th: str, message_en: str) -> None:
        super().__init__(message_en)
        self.retry_after, self.message_th, self.message_en = retry_after, message_th, message_en


def client_address(request: Request) -> str:
    # uvicorn has already put the X-Forwarded-For address here when the peer is a trusted proxy
    # (`FORWARDED_ALLOW_IPS`, default loopback), so a load balancer does not make one client of all.
    return request.client.host if request.client else "unknown"


def _limiter(request: Request) -> tuple[RateLimiter, Limits]:
    return request.app.state.limiter, request.app.state.limits


def _bad_token(limiter: RateLimiter, limits: Limits, address: str) -> Exception:
    """A missing, wrong or revoked kiosk token, counted per client address: 401, or 429 past the
    limit. An address already over it is refused without another write to the counter."""
    key = f"kiosk-auth:{address}"
    verdict = limiter.peek(key, limits.kiosk_auth)
    if verdict.allowed:
        verdict = limiter.hit((key, limits.kiosk_auth))
    if not verdict.allowed:
        return RateLimited(
            verdict.retry_after,
            "ตรวจสอบตัวตนของตู้ไม่ผ่านหลายครั้งเกินไป กรุณารอแล้วลองใหม่",
            f"Too many failed kiosk credentials from this address: try again in {verdict.retry_after} s",
        )
    return HTTPException(401, "missing, wrong or revoked kiosk credential", {"WWW-Authenticate": "Bearer"})


def kiosk_auth(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """The calling kiosk, read from the database on every request so revocation acts at once.

    The token is checked first, so an enrolled kiosk is never held up by guesses from its address;
    tokens that fail the check are counted per address (`kiosk_auth`) and answered 429 past the
    limit. A request with no bearer token at all costs no database work and is simply 401."""
    if creds is None or not creds.credentials:
        raise HTTPException(401, "missing, wrong or revoked kiosk credential", {"WWW-Authenticate": "Bearer"})
    service = _service_of(request)
    limiter, limits = _limiter(request)
    kiosk_id = service.kiosk_for_token(creds.credentials)
    if kiosk_id is None:
        raise _bad_token(limiter, limits, client_address(request))
    verdict = limiter.hit((f"kiosk:{kiosk_id}", limits.kiosk))
    if not verdict.allowed:
        raise RateLimited(
            verdict.retry_after,
            "ตู้นี้ส่งคำขอถี่เกินไป กรุณารอสักครู่",
            f"Too many requests from kiosk {kiosk_id}: try again in {verdict.retry_after} s",
        )
    return kiosk_id


def officer_auth(request: Request, creds: Annotated[HTTPBasicCredentials | None, Depends(_basic)]) -> str:
    """HTTP Basic with a lockout: every attempt is counted before the password is checked (per name
    and per address), and a success takes its count back, so only failures accumulate and a burst of
    parallel guesses cannot slip past the limit. A name that does not exist locks the same way."""
    if creds is None:
        raise HTTPException(401, "officer login required", {"WWW-Authenticate": 'Basic realm="office"'})
    limiter, limits = _limiter(request)
    by_name, by_address = f"login:{creds.username}", f"login-ip:{client_address(request)}"
    verdict = limiter.hit((by_address, limits.login_ip), (by_name, limits.login_user))
    if not verdict.allowed:
        raise RateLimited(
            verdict.retry_after,
            f"เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป บัญชีถูกระงับชั่วคราว กรุณาลองใหม่ใน {verdict.retry_after} วินาที",
            f"Too many failed sign-ins: locked, try again in {verdict.retry_after} s",
        )
    name = _service_of(request).officer(creds.username, creds.password)
    if name is None:
        raise HTTPException(401, "officer login required", {"WWW-Authenticate": 'Basic realm="office"'})
    limiter.settle(undo=[by_address], clear=[by_name])
    return name


def _query_names(dependant: Any) -> set[str]:
    names = {str(p.alias) for p in getattr(dependant, "query_params", ())}
    for sub in getattr(dependant, "dependencies", ()):
        names |= _query_names(sub)
    return names


def no_unknown_query(request: Request) -> None:
    """Refuse query parameters an operation does not declare: a typo must not pass for a default."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = _query_names(dependant)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": "Unknown query parameter",
                    "input": None,
                }
                for name in unknown
            ]
        )


Kiosk = Annotated[str, Depends(kiosk_auth)]
Officer = Annotated[str, Depends(officer_auth)]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed request (a body that is not JSON)"},
    401: {"model": ErrorBody, "description": "Missing, wrong or revoked credential"},
    403: {"model": ErrorBody, "description": "Cross-site request refused"},
    413: {"model": ErrorBody, "description": "Request body too large"},
    415: {"model": ErrorBody, "description": "Body is not of the declared media type"},
    429: {
        "model": ErrorBody,
        "description": "Too many requests, or an officer locked out after failed sign-ins",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
    },
}


def create_app(
    database_url: str,
    *,
    catalog_dir: Path | None = None,
    max_body: int = MAX_BODY,
    limits: Limits | None = None,
) -> FastAPI:
    service = build_service(database_url, catalog_dir)
    app = FastAPI(
        dependencies=[Depends(no_unknown_query)],
        title="Counter Kiosk central server",
        version=__version__,
        description="Kiosks push cases and pull officers' decisions; officers run the back office.",
    )
    app.state.service = service
    app.state.limiter = RateLimiter(service.db)
    app.state.limits = limits or Limits()
    app.add_middleware(BodyLimit, limit=max_body)
    app.include_router(queue_router(service.db, kiosk_auth, ERRORS))

    @app.exception_handler(KnownError)
    async def known_error(request: Request, exc: KnownError) -> JSONResponse:
        status = 400
        if isinstance(exc, NotFoundError):
            status = 404
        elif isinstance(exc, (TransitionError, ConflictError)):
            status = 409
        return JSONResponse({"detail": exc.message_en, "detail_th": exc.message_th}, status_code=status)

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.message_en, "detail_th": exc.message_th},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )

    # --- kiosks -------------------------------------------------------------------------------

    @app.post(
        f"{API_PREFIX}/enrol",
        response_model=EnrolResponse,
        responses={
            400: ERRORS[400],
            401: {"model": ErrorBody, "description": "Unknown, used or expired code"},
            413: ERRORS[413],
            429: ERRORS[429],
        },
        tags=["kiosk"],
    )
    def enrol(body: EnrolRequest, request: Request) -> EnrolResponse:
        # Failures per address are what is limited: each attempt counts, a success is taken back.
        limiter, limits = _limiter(request)
        key = f"enrol:{client_address(request)}"
        verdict = limiter.hit((key, limits.enrol))
        if not verdict.allowed:
            raise RateLimited(
                verdict.retry_after,
                "ลงทะเบียนไม่สำเร็จหลายครั้งเกินไป กรุณารอแล้วลองใหม่",
                f"Too many failed enrolments from this address: try again in {verdict.retry_after} s",
            )
        granted = service.enrol(body.code)
        if granted is None:
            raise HTTPException(401, "unknown, used or expired enrolment code")
        limiter.settle(undo=[key])
        log.info("kiosk %s enrolled", granted[0])
        return EnrolResponse(kiosk_id=granted[0], token=granted[1], server_time=utcnow())

    @app.get(f"{API_PREFIX}/kiosk", response_model=WhoAmI, responses=ERRORS, tags=["kiosk"])
    def whoami(kiosk_id: Kiosk) -> WhoAmI:
        return WhoAmI(kiosk_id=kiosk_id, server_time=utcnow(), versions=service.versions)

    @app.post(f"{API_PREFIX}/events", response_model=PushResponse, responses=ERRORS, tags=["kiosk"])
    def push(body: PushRequest, kiosk_id: Kiosk) -> PushResponse:
        results = service.push(kiosk_id, body.events)
        return PushResponse(results=results, server_time=utcnow())

    @app.get(f"{API_PREFIX}/changes", response_model=PullResponse, responses=ERRORS, tags=["kiosk"])
    def pull(
        kiosk_id: Kiosk,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> PullResponse:
        return service.pull(kiosk_id, after, limit)

    # --- officers: API ------------------------------------------------------------------------

    office = f"{API_PREFIX}/office"

    @app.get(f"{office}/cases", response_model=list[CaseOut], responses=ERRORS, tags=["office"])
    def list_cases(
        _: Officer,
        state: CaseState | None = None,
        service_code: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9-]{0,47}$")] = None,
        kiosk_id: Annotated[str | None, Query(pattern=KIOSK_ID_PATTERN)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> list[CaseOut]:
        return service.cases(
            state=state, service_code=service_code, kiosk_id=kiosk_id, limit=limit, offset=offset
        )

    @app.get(
        f"{office}/cases/{{number}}",
        response_model=CaseDetailOut,
        responses={**ERRORS, 404: {"model": ErrorBody}},
        tags=["office"],
    )
    def show_case(
        number: Annotated[str, PathParam(pattern=CASE_NUMBER_PATTERN)], _: Officer
    ) -> CaseDetailOut:
        return service.case(number)

    @app.post(
        f"{office}/cases/{{number}}/actions",
        response_model=CaseDetailOut,
        responses={**ERRORS, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
        tags=["office"],
    )
    def act(
        number: Annotated[str, PathParam(pattern=CASE_NUMBER_PATTERN)],
        body: ActionRequest,
        who: Officer,
        request: Request,
    ) -> CaseDetailOut:
        # A cross-site Blob body has no Content-Type, is parsed as JSON and carries Basic credentials.
        same_origin(request)
        return service.act(number, body, who)

    @app.get(f"{office}/overdue", response_model=list[CaseOut], responses=ERRORS, tags=["office"])
    def overdue(_: Officer) -> list[CaseOut]:
        return service.overdue()

    @app.get(f"{office}/dashboard", response_model=Dashboard, responses=ERRORS, tags=["office"])
    def dashboard(_: Officer) -> Dashboard:
        return service.dashboard()

    @app.get(f"{office}/kiosks", response_model=list[KioskOut], responses=ERRORS, tags=["office"])
    def kiosks(_: Officer) -> list[KioskOut]:
        return service.kiosks()

    @app.post(
        f"{office}/bank-files",
        response_model=BankImportReport,
        responses=ERRORS,
        tags=["office"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"text/csv": {"schema": {"type": "string"}}},
                "description": "Bill Payment file: date, Ref.1, Ref.2, amount, channel",
            }
        },
    )
    async def bank_file(
        request: Request, who: Officer, filename: Annotated[str, Query(pattern=r"^[^\x00]{0,200}$")] = ""
    ) -> BankImportReport:
        # A cross-site page can send text/plain without a CORS preflight and with the officer's Basic
        # credentials; it cannot send text/csv. Both checks together keep forged payments out.
        same_origin(request)
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "text/csv":
            raise HTTPException(415, "a bank file is sent as text/csv")
        data = await request.body()
        return await run_in_threadpool(bank.import_file, service, data, filename=filename, officer=who)

    @app.get(f"{office}/bank-mismatches", response_model=list[BankLineOut], responses=ERRORS, tags=["office"])
    def bank_mismatches(_: Officer) -> list[BankLineOut]:
        return bank.mismatches(service)

    # --- officers: personal data (PDPA) -------------------------------------------------------

    @app.post(
        f"{office}/privacy/access-requests",
        response_model=privacy.AccessExport,
        responses=ERRORS,
        tags=["privacy"],
        summary="Export everything held on one citizen (access request), recorded with who and why",
    )
    def access_request(
        body: privacy.AccessRequestIn, who: Officer, request: Request, response: Response
    ) -> privacy.AccessExport:
        # POST, never GET: the citizen ID stays out of URLs and access logs, and the request is recorded.
        same_origin(request)
        response.headers["Cache-Control"] = "no-store"
        return privacy.access_request(service, body, who)

    @app.post(
        f"{office}/privacy/rectifications",
        response_model=privacy.RectificationResult,
        responses={**ERRORS, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
        tags=["privacy"],
        summary="Correct one value of a citizen's record; the old value is kept",
    )
    def rectification(
        body: privacy.RectificationIn, who: Officer, request: Request
    ) -> privacy.RectificationResult:
        same_origin(request)
        return privacy.rectify(service, body, who)

    @app.get(
        f"{office}/privacy/requests",
        response_model=list[privacy.PrivacyRequestOut],
        responses=ERRORS,
        tags=["privacy"],
        summary="The log of access requests and rectifications (citizen IDs masked)",
    )
    def privacy_log(
        _: Officer, limit: Annotated[int, Query(ge=1, le=1000)] = 100
    ) -> list[privacy.PrivacyRequestOut]:
        return privacy.requests(service, limit=limit)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, Any]:
        # Unauthenticated, so it costs nothing: no count over a table, just that the database answers.
        service.ping()
        return {"ok": True, "versions": service.versions}

    # --- officers: web pages ------------------------------------------------------------------

    def same_origin(request: Request) -> None:
        # Browsers resend Basic credentials on cross-site form posts; refuse those.
        origin = request.headers.get("origin")
        if origin is not None and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
            raise HTTPException(403, "cross-site request refused")
        if request.headers.get("sec-fetch-site") == "cross-site":
            raise HTTPException(403, "cross-site request refused")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/office", status_code=303)

    @app.get("/office", response_class=HTMLResponse, include_in_schema=False)
    def page_dashboard(who: Officer) -> str:
        return web.dashboard_page(service.dashboard(), service.overdue(limit=20), who)

    @app.get("/office/cases", response_class=HTMLResponse, include_in_schema=False)
    def page_cases(who: Officer, state: CaseState | None = None, service_code: str | None = None) -> str:
        return web.cases_page(service.cases(state=state, service_code=service_code, limit=500), state, who)

    @app.get("/office/overdue", response_class=HTMLResponse, include_in_schema=False)
    def page_overdue(who: Officer) -> str:
        return web.cases_page(service.overdue(), None, who, title="คำขอที่เกินกำหนดเวลา")

    @app.get("/office/cases/{number}", response_class=HTMLResponse, include_in_schema=False)
    def page_case(number: str, who: Officer, error: str = "") -> str:
        return web.case_page(service.case(number), service.catalog, who, error)

    @app.post("/office/cases/{number}", include_in_schema=False)
    async def page_case_action(number: str, request: Request, who: Officer) -> Response:
        same_origin(request)
        form = web.parse_form(await request.body())
        try:
            action = web.action_from_form(form)
            await run_in_threadpool(service.act, number, action, who)
        except (KnownError, ValueError) as exc:
            message = exc.message_th if isinstance(exc, KnownError) else str(exc)
            return HTMLResponse(
                web.case_page(service.case(number), service.catalog, who, message), status_code=409
            )
        return RedirectResponse(f"/office/cases/{number}", status_code=303)

    @app.get("/office/bank", response_class=HTMLResponse, include_in_schema=False)
    def page_bank(who: Officer) -> str:
        return web.bank_page(bank.mismatches(service), who)

    @app.get("/office/privacy", response_class=HTMLResponse, include_in_schema=False)
    def page_privacy(who: Officer, done: str = "") -> str:
        # Only a count comes back in the URL: a link cannot put words of its own on this page.
        notice = f"บันทึกการแก้ไขแล้ว {int(done)} คำขอ" if done.isdigit() and len(done) < 6 else ""
        return web.privacy_page(privacy.requests(service, limit=50), who, notice=notice)

    @app.post("/office/privacy/access", include_in_schema=False)
    async def page_access(request: Request, who: Officer) -> Response:
        same_origin(request)
        form = web.parse_form(await request.body())
        try:
            body = privacy.AccessRequestIn.model_validate(
                {"citizen_id": web.digits(form.get("citizen_id", "")), "reason": form.get("reason", "")}
            )
        except ValidationError as exc:
            page = web.privacy_page(privacy.requests(service, limit=50), who, error=web.form_error(exc))
            return HTMLResponse(page, status_code=400)
        export = await run_in_threadpool(privacy.access_request, service, body, who)
        return Response(
            export.model_dump_json(indent=2),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="access-{export.request.id}.json"',
                "Cache-Control": "no-store",
            },
        )

    @app.post("/office/privacy/rectify", include_in_schema=False)
    async def page_rectify(request: Request, who: Officer) -> Response:
        same_origin(request)
        form = web.parse_form(await request.body())
        try:
            body = privacy.RectificationIn.model_validate(web.rectification_fields(form))
            result = await run_in_threadpool(privacy.rectify, service, body, who)
        except ValidationError as exc:
            page = web.privacy_page(privacy.requests(service, limit=50), who, error=web.form_error(exc))
            return HTMLResponse(page, status_code=400)
        except KnownError as exc:
            page = web.privacy_page(privacy.requests(service, limit=50), who, error=exc.message_th)
            return HTMLResponse(page, status_code=409)
        return RedirectResponse(f"/office/privacy?done={len(result.changed)}", status_code=303)

    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn calls in each worker process."""
    url = os.environ.get(ENV_URL) or default_url()
    catalog = os.environ.get(ENV_CATALOG)
    return create_app(
        url,
        catalog_dir=Path(catalog) if catalog else None,
        max_body=int(os.environ.get(ENV_MAX_BODY, MAX_BODY)),
        limits=Limits.parse(os.environ.get(ENV_LIMITS, "")),
    )


__all__ = ["BodyLimit", "app_from_env", "build_service", "create_app", "upgrade"]
