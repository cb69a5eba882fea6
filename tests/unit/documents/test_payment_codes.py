"""The codes a bank reads, checked against the reference values in shared/reference/payments.md."""

from __future__ import annotations

import pytest

from kiosk.documents.payment_codes import (
    PaymentCodeError,
    barcode_human_line,
    bill_payment_barcode,
    crc16_ccitt_false,
    crc_ok,
    parse_tlv,
    thai_qr_bill_payment,
)

REFERENCE_QR = "00020101021130550016A0000006770101120115099999999999990021211122233344453037645802TH63043EE7"


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_reference_qr_is_rebuilt_exactly() -> None:
    assert thai_qr_bill_payment("099999999999990", "111222333444") == REFERENCE_QR
    assert crc_ok(REFERENCE_QR)


def test_dynamic_qr_carries_amount_refs_and_a_valid_crc() -> None:
    payload = thai_qr_bill_payment("099400016550100", "K01256900042", "01", 125050)
    tags = parse_tlv(payload)
    assert tags["00"] == "01"
    assert tags["01"] == "12"  # dynamic: an amount is present
    assert tags["53"] == "764"
    assert tags["54"] == "1250.50"
    assert tags["58"] == "TH"
    merchant = parse_tlv(tags["30"])
    assert merchant == {
        "00": "A000000677010112",
        "01": "099400016550100",
        "02": "K01256900042",
        "03": "01",
    }
    assert crc_ok(payload)
    assert not crc_ok(payload[:-1] + ("0" if payload[-1] != "0" else "1"))


def test_barcode_content_matches_the_reference_example() -> None:
    content = bill_payment_barcode("099400016550100", "123456789012", "670429", 364922)
    assert content == "|099400016550100\r123456789012\r670429\r364922"
    assert barcode_human_line(content) == "|099400016550100 123456789012 670429 364922"


def test_empty_ref2_keeps_all_three_crs() -> None:
    assert bill_payment_barcode("099400016550100", "K01256900042", "", 0).count("\r") == 3


@pytest.mark.parametrize(
    ("biller", "ref1", "ref2"),
    [
        ("09940001655010", "A", ""),
        ("099400016550100", "", ""),
        ("099400016550100", "a-1", ""),
        ("099400016550100", "A", "X" * 19),
    ],
)
def test_values_a_bank_cannot_read_are_refused(biller: str, ref1: str, ref2: str) -> None:
    with pytest.raises(PaymentCodeError):
        bill_payment_barcode(biller, ref1, ref2, 100)
    with pytest.raises(PaymentCodeError):
        thai_qr_bill_payment(biller, ref1, ref2, 100)
