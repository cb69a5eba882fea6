from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.config import RESOURCES
from kiosk.domain.catalog import Catalog, parse_definition
from kiosk.domain.fees import quote
from kiosk.domain.services import Category

SHIPPED = RESOURCES / "services"
EXAMPLE = (SHIPPED / "signboard-tax.toml").read_text(encoding="utf-8")

# Every procedure of the seeds: the Bang Kaeo Fa manual (26 headings, two repeated), form ข.3 and
# the four DLA Local Service procedures.
EXPECTED = {
    "local-maintenance-tax", "signboard-tax", "house-and-land-tax", "building-construction-permit",
    "building-relocation-permit", "building-alteration-permit", "building-demolition-permit",
    "building-permit-renewal", "market-license", "market-license-renewal", "health-hazard-business-license",
    "health-hazard-business-license-renewal", "food-premises-notification", "food-premises-license",
    "food-premises-license-renewal", "parking-space-alteration-permit", "hotel-guest-fee", "fuel-tax",
    "tobacco-tax", "leaflet-advertising-permit",
}  # fmt: skip


def test_every_shipped_definition_loads() -> None:
    catalog = Catalog.load(SHIPPED)
    assert catalog.problems == ()
    assert {s.code for s in catalog} >= EXPECTED
    assert len(catalog) == 29
    assert {s.category for s in catalog} == set(Category)


def test_shipped_definitions_are_complete_enough_to_serve() -> None:
    for service in Catalog.load(SHIPPED):
        assert service.form, service.code
        assert service.steps and service.channels and service.legal_basis, service.code
        assert "(ระบุ" not in service.model_dump_json(), f"{service.code} keeps template text"


def test_parking_permit_fee_of_form_kho3() -> None:
    service = Catalog.load(SHIPPED).get("parking-space-alteration-permit")
    assert service is not None
    assert (
        service.time_limit.value,
        service.time_limit.max_extensions,
        service.time_limit.extension_value,
    ) == (45, 2, 45)
    q = quote(service.fees, {"inspection_area_sqm": "120", "building_class": "over_2_to_3_floors"})
    assert q.complete and q.total == Decimal("440.00")
    q = quote(service.fees, {"inspection_area_sqm": "120", "building_class": "up_to_2_floors"})
    assert q.total == Decimal("260.00")


def test_search_in_thai_and_english() -> None:
    catalog = Catalog.load(SHIPPED)
    assert "signboard-tax" in {s.code for s in catalog.search("ภาษีป้าย")}
    assert "signboard-tax" in {s.code for s in catalog.search("SIGNBOARD")}
    assert catalog.search("ผู้สูงอายุ")
    assert catalog.search("zzzz nothing") == ()


def _problems(text: str) -> list[str]:
    definition, problems = parse_definition(text, "bad.toml")
    assert definition is None
    return [str(p) for p in problems]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace('code = "signboard-tax"\n', ""), "bad.toml: code: Field required"),
        (
            lambda t: t.replace('category = "tax"', 'category = "bribe"'),
            "bad.toml: category: Input should be",
        ),
        (
            lambda t: t.replace('value = 7\nunit = "minutes"', 'value = -7\nunit = "minutes"'),
            "bad.toml: time_limit.value",
        ),
        (
            lambda t: t.replace('prefill = "card:name_th.full"', 'prefill = "card:religion"'),
            "form[1].prefill: unknown card field 'religion'",
        ),
        (
            lambda t: t.replace('key = "phone"', 'key = "owner_name"'),
            "two form fields share the key 'owner_name'",
        ),
        (
            lambda t: t.replace("name_th = ", "nmae_th = ", 1),
            "bad.toml: nmae_th: Extra inputs are not permitted",
        ),
        (
            lambda t: (
                t
                + '\n[[fees]]\nkind = "per_unit"\nkey = "x"\nlabel_th = "ก"\nlabel_en = "X"\nquantity_field = "nope"\nunit_th = "ตร.ม."\nrate = 1\n'
            ),
            "refers to form field 'nope'",
        ),
        (lambda t: t.replace('type = "select"', 'type = "text"'), "only a select field takes choices"),
        (lambda t: t + "\n= broken", "bad.toml: not valid TOML"),
    ],
)
def test_malformed_definitions_name_file_field_and_reason(edit, expected: str) -> None:  # type: ignore[no-untyped-def]
    problems = _problems(edit(EXAMPLE))
    assert any(expected in p for p in problems), problems


def test_a_bad_file_is_skipped_and_the_rest_still_work(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(EXAMPLE, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(
        EXAMPLE.replace('category = "tax"', 'category = "x"'), encoding="utf-8"
    )
    (tmp_path / "twin.toml").write_text(EXAMPLE, encoding="utf-8")
    (tmp_path / "latin1.toml").write_bytes("name_th = 'ภาษี'".encode("tis-620"))
    catalog = Catalog.load(tmp_path)
    assert [s.code for s in catalog] == ["signboard-tax"]
    files = sorted({p.file for p in catalog.problems})
    assert files == ["bad.toml", "latin1.toml", "twin.toml"]
    assert any("already used by good.toml" in str(p) for p in catalog.problems)


def test_missing_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    catalog = Catalog.load(tmp_path / "nope")
    assert len(catalog) == 0 and "does not exist" in str(catalog.problems[0])


def test_card_fields_are_only_what_the_form_uses() -> None:
    service = Catalog.load(SHIPPED).get("signboard-tax")
    assert service is not None
    assert service.card_fields == {"name_th.full", "address.full"}
    assert not service.needs_photo
