"""PDPA on the central server, over real HTTP and PostgreSQL: an officer exports everything held on one
citizen (the request recorded: who, when, why) and records rectifications (the old value kept).

The server runs here with its access log on, in its own database, so the last test can read the
whole log of this module and find no citizen ID, name, address or phone in it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from central.schemas import ActionRequest
from kiosk.domain.thai import mask_citizen_id
from kiosk.storage.cases import ApplicantInfo
from tests.integration.central.harness import (
    PG_SOCKET,
    ROOT,
    STAFF,
    Kiosk,
    Server,
    child_env,
    free_port,
    fresh_postgres,
    new_kiosk_id,
    service,
)

pytestmark = pytest.mark.integration
API = "/api/v1/office/privacy"
OFFICER = ("pdpa.officer", "pdpa-pass-1")
SOMYING = ApplicantInfo(
    "3101700123452",
    "นางสาวสมหญิง ใจเย็นมาก",
    "Somying Jaiyenmak",
    "1985-04-01",
    "77/1 หมู่ที่ 3 ตำบลบางแก้วฟ้า",
    "0812345670",
)
NOBODY = "1000000000009"  # a valid ID no case has
SOMCHAI = ApplicantInfo("1103700456783", "นายสมชาย ขยันยิ่ง", address="5 หมู่ที่ 2", phone="0899999991")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("privacy")
    log = folder / "server.log"
    with fresh_postgres("kc_privacy") as url, open(log, "ab") as out:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "central.cli", "--database-url", url, "serve", "--port", str(port)],
            cwd=ROOT,
            env=child_env(),
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
        server = Server(url, port=port)
        server.proc = proc
        kiosk = Kiosk(folder / "kiosk", new_kiosk_id())
        try:
            server.wait_ready(timeout=120)
            service(url).add_officer(*OFFICER)
            kiosk.enrol(url, server.url)
            cases = kiosk.counter.cases
            codes = [s.code for s in kiosk.counter.catalog]
            mine = [
                cases.submit(
                    codes[0], SOMYING, {"note": "ต่อเติมครัว", "contact_phone": SOMYING.phone}, STAFF
                ).number,
                cases.submit(codes[1], SOMYING, {"note": "ขอใบอนุญาต"}, STAFF).number,
            ]
            other = cases.submit(codes[0], SOMCHAI, {"note": "ของคนอื่น"}, STAFF).number
            kiosk.sync_once(server.url)
            svc = service(url)
            for step in ("complete", "consider"):
                svc.act(mine[0], ActionRequest.model_validate({"action": step}), OFFICER[0])
            fee = {"key": "permit", "label_th": "ค่าใบอนุญาต", "amount_satang": 20_000}
            svc.act(mine[0], ActionRequest.model_validate({"action": "approve", "fees": [fee]}), OFFICER[0])
            paid = {"action": "confirm_payment", "reference": "RCPT-1"}
            svc.act(mine[0], ActionRequest.model_validate(paid), OFFICER[0])
            yield {"url": url, "server": server, "mine": mine, "other": other, "log": log, "kiosk": kiosk}
        finally:
            kiosk.close()
            server.stop()


def _post(office: dict[str, Any], path: str, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
    kwargs.setdefault("auth", OFFICER)
    return httpx.post(office["server"].url + API + path, json=body, timeout=30, **kwargs)


def _sql(office: dict[str, Any], query: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(f"host={PG_SOCKET} dbname={make_url(office['url']).database}") as conn:
        return conn.execute(query, params).fetchall()


def test_an_access_request_exports_everything_held_and_is_recorded(office: dict[str, Any]) -> None:
    asked = _post(office, "/access-requests", {"citizen_id": SOMYING.citizen_id, "reason": "หนังสือขอ 12/2569"})
    assert asked.status_code == 200, asked.text
    assert asked.headers["cache-control"] == "no-store"
    export = asked.json()
    assert export["citizen_id"] == SOMYING.citizen_id
    assert sorted(c["number"] for c in export["cases"]) == sorted(office["mine"])
    assert office["other"] not in {c["number"] for c in export["cases"]}
    assert export["applicants"] == [
        {
            "citizen_id": SOMYING.citizen_id,
            "name_th": SOMYING.name_th,
            "name_en": SOMYING.name_en,
            "birth_date": SOMYING.birth_date,
            "address": SOMYING.address,
            "phone": SOMYING.phone,
        }
    ]
    paid = next(c for c in export["cases"] if c["number"] == office["mine"][0])
    assert paid["state"] == "paid" and paid["form"]["note"] == "ต่อเติมครัว"
    assert {e["kind"] for e in paid["events"]} >= {"created", "transition", "fee_set", "payment_recorded"}
    assert {e["actor_id"] for e in paid["events"] if e["actor_role"] == "officer"} == {OFFICER[0]}
    [invoice] = paid["invoices"]
    assert invoice["total_satang"] == 20_000 and invoice["status"] == "paid"
    assert invoice["lines"][0]["label_th"] == "ค่าใบอนุญาต"
    assert invoice["payments"][0]["reference"] == "RCPT-1"
    # The request itself: who, when, why, recorded in the database and returned with the export.
    request = export["request"]
    assert (request["kind"], request["officer"], request["reason"], request["cases"]) == (
        "access",
        OFFICER[0],
        "หนังสือขอ 12/2569",
        2,
    )
    rows = _sql(
        office, "SELECT officer, reason, citizen_id, at FROM privacy_requests WHERE id = %s", request["id"]
    )
    assert rows and rows[0][:3] == (OFFICER[0], "หนังสือขอ 12/2569", SOMYING.citizen_id) and rows[0][3]
    again = _post(office, "/access-requests", {"citizen_id": SOMYING.citizen_id, "reason": "สำเนาครั้งที่สอง"})
    assert request["id"] in {r["id"] for r in again.json()["earlier_requests"]}
    listed = httpx.get(office["server"].url + API + "/requests", auth=OFFICER).json()
    mine = next(r for r in listed if r["id"] == request["id"])
    assert mine["citizen_id"] == mask_citizen_id(SOMYING.citizen_id) and mine["officer"] == OFFICER[0]
    # Someone the server never saw: the request is still recorded, and the answer is "nothing held".
    nobody = _post(office, "/access-requests", {"citizen_id": NOBODY, "reason": "ขอตรวจสอบ"}).json()
    assert nobody["cases"] == [] and nobody["request"]["cases"] == 0


def test_only_an_officer_may_ask_and_bad_requests_are_refused(office: dict[str, Any]) -> None:
    body = {"citizen_id": SOMYING.citizen_id, "reason": "ทดสอบสิทธิ์"}
    before = _sql(office, "SELECT count(*) FROM privacy_requests")[0][0]
    assert _post(office, "/access-requests", body, auth=None).status_code == 401
    assert _post(office, "/access-requests", body, auth=(OFFICER[0], "wrong-pass")).status_code == 401
    token = {"Authorization": f"Bearer {office['kiosk'].token}"}
    assert _post(office, "/access-requests", body, auth=None, headers=token).status_code == 401
    forged = _post(office, "/access-requests", body, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    cross = _post(
        office,
        "/rectifications",
        body | {"field": "phone", "new_value": "1"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    for bad in (
        {"citizen_id": "3101700123453", "reason": "เลขตรวจสอบผิด"},  # check digit wrong
        {"citizen_id": SOMYING.citizen_id},  # no reason
        {"citizen_id": SOMYING.citizen_id, "reason": "มี", "extra": 1},
    ):
        assert _post(office, "/access-requests", bad).status_code == 422
    # Never by GET: a citizen ID in a URL would sit in every access log and browser history.
    assert httpx.get(office["server"].url + API + "/access-requests", auth=OFFICER).status_code == 405
    assert _sql(office, "SELECT count(*) FROM privacy_requests")[0][0] == before


def _case(office: dict[str, Any], number: str) -> dict[str, Any]:
    answer = httpx.get(f"{office['server'].url}/api/v1/office/cases/{number}", auth=OFFICER)
    return dict(answer.json())


def test_a_rectification_corrects_the_record_and_keeps_the_old_value(office: dict[str, Any]) -> None:
    first, second = office["mine"]
    fix = {
        "citizen_id": SOMYING.citizen_id,
        "field": "name_th",
        "old_value": SOMYING.name_th,
        "new_value": "นางสมหญิง ใจเย็นมาก",
        "reason": "ทะเบียนสมรส เลขที่ 123/2569",
    }
    done = _post(office, "/rectifications", fix)
    assert done.status_code == 200, done.text
    result = done.json()
    assert sorted(c["case_number"] for c in result["changed"]) == sorted(office["mine"])
    assert {(c["old_value"], c["new_value"]) for c in result["changed"]} == {
        (SOMYING.name_th, fix["new_value"])
    }
    assert result["request"]["citizen_id"] == mask_citizen_id(SOMYING.citizen_id)
    for number in office["mine"]:
        assert _case(office, number)["applicant"]["name_th"] == fix["new_value"]
    assert _case(office, office["other"])["applicant"]["name_th"] == SOMCHAI.name_th
    # Made again from a stale screen: refused, nothing changes.
    stale = _post(office, "/rectifications", fix | {"new_value": "นางสมหญิง อื่น"})
    assert stale.status_code == 409 and stale.json()["detail_th"]
    again = _post(office, "/rectifications", fix | {"old_value": None})
    assert again.status_code == 409  # already so: nothing to correct
    # One case only, a field of the form.
    phone = {
        "citizen_id": SOMYING.citizen_id,
        "field": "form.contact_phone",
        "new_value": "0812345679",
        "case_number": first,
        "reason": "ผู้ยื่นแจ้งเบอร์ใหม่",
    }
    changed = _post(office, "/rectifications", phone).json()["changed"]
    assert [(c["case_number"], c["old_value"]) for c in changed] == [(first, SOMYING.phone)]
    assert _case(office, first)["form"]["contact_phone"] == "0812345679"
    assert "contact_phone" not in _case(office, second)["form"]
    # Values that cannot be: a wrong new citizen ID, an over-long name, a person with no case.
    assert (
        _post(
            office, "/rectifications", fix | {"field": "citizen_id", "old_value": None, "new_value": "123"}
        ).status_code
        == 400
    )
    assert (
        _post(office, "/rectifications", fix | {"old_value": None, "new_value": "ก" * 201}).status_code == 400
    )
    assert _post(office, "/rectifications", fix | {"citizen_id": NOBODY}).status_code == 404
    assert _post(office, "/rectifications", fix | {"field": "state"}).status_code == 422
    # The history: in the person's export, and the database refuses to rewrite it.
    export = _post(office, "/access-requests", {"citizen_id": SOMYING.citizen_id, "reason": "หลังแก้ไข"}).json()
    history = {
        (r["case_number"], r["field"], r["old_value"], r["new_value"]) for r in export["rectifications"]
    }
    assert (first, "name_th", SOMYING.name_th, fix["new_value"]) in history
    assert (first, "form.contact_phone", SOMYING.phone, "0812345679") in history
    assert all(r["officer"] == OFFICER[0] and r["reason"] for r in export["rectifications"])
    for statement in ("UPDATE rectifications SET new_value = 'x'", "DELETE FROM privacy_requests"):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            _sql(office, statement)


def test_a_corrected_citizen_id_moves_the_cases_to_the_right_person(office: dict[str, Any]) -> None:
    kiosk = office["kiosk"]
    misread = ApplicantInfo("1103700456791", "นายทดสอบ เลขผิด")
    code = next(iter(kiosk.counter.catalog)).code
    number = kiosk.counter.cases.submit(code, misread, {"note": "เลขบัตรอ่านผิด"}, STAFF).number
    kiosk.sync_once(office["server"].url)
    right = "1103700456805"
    body = {
        "citizen_id": misread.citizen_id,
        "field": "citizen_id",
        "new_value": right,
        "reason": "สำเนาบัตรประชาชน",
    }
    assert _post(office, "/rectifications", body).status_code == 200
    moved = _post(office, "/access-requests", {"citizen_id": right, "reason": "ตรวจหลังแก้เลข"}).json()
    assert [c["number"] for c in moved["cases"]] == [number]
    assert moved["rectifications"][0]["old_value"] == misread.citizen_id
    left = _post(office, "/access-requests", {"citizen_id": misread.citizen_id, "reason": "เลขเดิม"}).json()
    assert left["cases"] == [] and [r["kind"] for r in left["earlier_requests"]] == ["rectification"]


def test_the_back_office_pages(office: dict[str, Any]) -> None:
    base = office["server"].url
    page = httpx.get(base + "/office/privacy", auth=OFFICER)
    assert page.status_code == 200 and "ข้อมูลส่วนบุคคล" in page.text
    assert SOMYING.citizen_id not in page.text and mask_citizen_id(SOMYING.citizen_id) in page.text
    typed = SOMYING.citizen_id
    form = {
        "citizen_id": f"{typed[0]}-{typed[1:5]}-{typed[5:10]}-{typed[10:12]} {typed[12]}",
        "reason": "ที่เคาน์เตอร์",
    }
    export = httpx.post(base + "/office/privacy/access", data=form, auth=OFFICER)
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    assert export.headers["cache-control"] == "no-store"
    assert sorted(c["number"] for c in export.json()["cases"]) == sorted(office["mine"])
    wrong = httpx.post(
        base + "/office/privacy/access", data={"citizen_id": "123", "reason": "x"}, auth=OFFICER
    )
    assert wrong.status_code == 400 and "ข้อมูลไม่ถูกต้อง" in wrong.text
    fix = {
        "citizen_id": SOMYING.citizen_id,
        "field": "address",
        "new_value": "88 หมู่ที่ 4 ตำบลบางแก้วฟ้า",
        "reason": "ทะเบียนบ้านฉบับใหม่",
    }
    posted = httpx.post(base + "/office/privacy/rectify", data=fix, auth=OFFICER)
    assert posted.status_code == 303 and posted.headers["location"].startswith("/office/privacy?done=")
    assert _case(office, office["mine"][1])["applicant"]["address"] == fix["new_value"]
    after = httpx.get(base + posted.headers["location"], auth=OFFICER).text
    assert "ขอแก้ไขข้อมูล" in after and "บันทึกการแก้ไขแล้ว 2 คำขอ" in after
    forged_notice = httpx.get(base + "/office/privacy?done=โทรหาเบอร์นี้", auth=OFFICER).text
    assert "โทรหาเบอร์นี้" not in forged_notice
    again = httpx.post(base + "/office/privacy/rectify", data=fix, auth=OFFICER)
    assert again.status_code == 409 and "ไม่มีข้อมูลที่ต้องแก้ไข" in again.text
    forged = httpx.post(
        base + "/office/privacy/rectify", data=fix, auth=OFFICER, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403


def test_the_server_log_names_no_one(office: dict[str, Any]) -> None:
    """Everything above went through this server: its log (access log included) holds none of it."""
    _post(office, "/access-requests", {"citizen_id": SOMCHAI.citizen_id, "reason": "ตรวจบันทึก"})
    log = office["log"].read_text(encoding="utf-8", errors="replace")
    assert "access request" in log and "rectification" in log and "POST /api/v1/office/privacy" in log
    for secret in (
        SOMYING.citizen_id,
        SOMCHAI.citizen_id,
        "1103700456805",
        "1103700456791",
        SOMYING.birth_date,
        "88 หมู่ที่ 4",
        "ใจเย็นมาก",
        "Jaiyenmak",
        "ขยันยิ่ง",
        "77/1",
        SOMYING.phone,
        SOMCHAI.phone,
    ):
        assert secret not in log, f"{secret!r} found in the server log"
