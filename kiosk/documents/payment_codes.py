"""What the bank reads: the cross-bank Bill Payment barcode and the Thai QR (tag 30) payload.

Both carry the same three keys, biller ID, Ref.1 and Ref.2, so a payment made either way maps back to
one invoice. Facts in `shared/reference/payments.md`.
"""

from __future__ import annotations

import re

from kiosk.domain.money import from_satang

_REF = re.compile(r"^[0-9A-Z]{0,18}$")
_BILLER = re.compile(r"^\d{15}$")

THAI_QR_BILL_PAYMENT_AID = "A000000677010112"
CURRENCY_THB = "764"


class PaymentCodeError(ValueError):
    """A value that would make a code the bank cannot read: a bug upstream, never a user error."""


def _check(biller_id: str, ref1: str, ref2: str) -> None:
    if not _BILLER.match(biller_id):
        raise PaymentCodeError(f"biller ID must be 15 digits, got {len(biller_id)} characters")
    if not ref1 or not _REF.match(ref1):
        raise PaymentCodeError("Ref.1 must be 1-18 digits or capital letters")
    if not _REF.match(ref2):
        raise PaymentCodeError("Ref.2 must be at most 18 digits or capital letters")


def bill_payment_barcode(biller_id: str, ref1: str, ref2: str, amount_satang: int) -> str:
    """`|` + biller ID + CR + Ref.1 + CR + Ref.2 + CR + amount in satang (0 = the teller keys it)."""
    _check(biller_id, ref1, ref2)
    if amount_satang < 0:
        raise PaymentCodeError("amount must not be negative")
    return f"|{biller_id}\r{ref1}\r{ref2}\r{amount_satang}"


def barcode_human_line(content: str) -> str:
    """The line printed under the barcode: the same fields, CRs shown as spaces."""
    return content.replace("\r", " ")


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not value or len(value) > 99:
        raise PaymentCodeError(f"tag {tag}: value length {len(value)} does not fit a TLV field")
    return f"{tag}{len(value):02d}{value}"


def with_crc(payload_without_crc: str) -> str:
    body = payload_without_crc + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def thai_qr_bill_payment(biller_id: str, ref1: str, ref2: str = "", amount_satang: int | None = None) -> str:
    """Thai QR Payment, merchant-presented, bill payment (tag 30); dynamic when an amount is given."""
    _check(biller_id, ref1, ref2)
    merchant = tlv("00", THAI_QR_BILL_PAYMENT_AID) + tlv("01", biller_id) + tlv("02", ref1)
    if ref2:
        merchant += tlv("03", ref2)
    dynamic = amount_satang is not None and amount_satang > 0
    payload = tlv("00", "01") + tlv("01", "12" if dynamic else "11") + tlv("30", merchant)
    payload += tlv("53", CURRENCY_THB)
    if dynamic:
        assert amount_satang is not None
        payload += tlv("54", f"{from_satang(amount_satang):.2f}")
    payload += tlv("58", "TH")
    return with_crc(payload)


def parse_tlv(payload: str) -> dict[str, str]:
    """Top-level tags of an EMV QR payload (for checks and tests); raises on a malformed one."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(payload):
        if i + 4 > len(payload):
            raise PaymentCodeError(f"truncated TLV at {i}")
        tag, length = payload[i : i + 2], int(payload[i + 2 : i + 4])
        value = payload[i + 4 : i + 4 + length]
        if len(value) != length:
            raise PaymentCodeError(f"tag {tag}: declared {length}, found {len(value)}")
        fields[tag] = value
        i += 4 + length
    return fields


def crc_ok(payload: str) -> bool:
    """True when the payload ends in `6304` + the CRC of everything before the CRC's 4 digits."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    return f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}" == payload[-4:]
