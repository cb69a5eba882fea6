"""Card errors: the typed APDU failure, transport failures, and the ones people read.

The `KnownError` subclasses carry the CLI exit codes of the `kiosk card` contract (docs/card.md):
3 no reader, 4 no card, 5 not a Thai ID card, 6 card removed during the read.
"""

from __future__ import annotations

from kiosk.errors import KnownError


class ApduError(Exception):
    """The card answered with a status word that the protocol cannot continue from."""

    def __init__(self, sw: int, *, command: str = "") -> None:
        super().__init__(f"{command or 'APDU'} failed with SW {sw:04X}")
        self.sw = sw
        self.command = command


class CardDataError(Exception):
    """The card answered, but the data is not what the layout promises (short block, broken photo)."""


class TransportError(Exception):
    """The exchange itself failed (reader or PC/SC), not the card's answer."""


class CardNotPresentError(TransportError):
    """The transport saw the card go away (or it was never there)."""


class PcscUnavailableError(TransportError):
    """The PC/SC service is gone (pcscd stopped or restarting): the context must be rebuilt."""


class CardKnownError(KnownError):
    """Base for the card errors people read; `kind` names it in events and JSON."""

    kind = "error"


class NoReaderError(CardKnownError):
    exit_code = 3
    kind = "no_reader"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "ไม่พบเครื่องอ่านบัตร กรุณาตรวจสอบการเชื่อมต่อเครื่องอ่านบัตร",
            "No card reader found. Please check that the reader is connected.",
            detail=detail,
        )


class NoCardError(CardKnownError):
    exit_code = 4
    kind = "no_card"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "ไม่พบบัตรในเครื่องอ่าน กรุณาเสียบบัตรประจำตัวประชาชน",
            "No card in the reader. Please insert the Thai national ID card.",
            detail=detail,
        )


class NotThaiIdCardError(CardKnownError):
    exit_code = 5
    kind = "not_thai_id"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "บัตรนี้ไม่ใช่บัตรประจำตัวประชาชน กรุณาใช้บัตรประจำตัวประชาชน",
            "This card is not a Thai national ID card. Please use a Thai national ID card.",
            detail=detail,
        )


class CardRemovedError(CardKnownError):
    exit_code = 6
    kind = "removed"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "บัตรถูกดึงออกระหว่างการอ่าน กรุณาเสียบบัตรใหม่และรอจนอ่านเสร็จ",
            "The card was removed during the read. Please insert it again and wait until the read is done.",
            detail=detail,
        )


class CardReadError(CardKnownError):
    exit_code = 1
    kind = "unreadable"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "อ่านบัตรไม่สำเร็จ กรุณาเสียบบัตรใหม่อีกครั้ง",
            "The card could not be read. Please insert it again.",
            detail=detail,
        )


class PcscServiceError(CardKnownError):
    exit_code = 1
    kind = "service_unavailable"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "บริการเครื่องอ่านบัตร (pcscd) ไม่ทำงาน กรุณาแจ้งเจ้าหน้าที่",
            "The smart card service (pcscd) is not running. Please call staff.",
            detail=detail,
        )
