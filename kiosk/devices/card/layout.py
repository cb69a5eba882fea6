"""Where the fields sit in the card's MOI applet, and the block-read plan built from them.

Offsets from ../shared/reference/thai-id-card.md. The text is read as three contiguous blocks instead of
nine fields, so a text read is 1 SELECT + 3 x (READ + GET RESPONSE) = 7 transmits.
"""

from __future__ import annotations

from dataclasses import dataclass

MOI_APPLET = bytes.fromhex("A000000054480001")


@dataclass(frozen=True)
class Field:
    name: str
    offset: int
    length: int


CARD_VERSION = Field("card_version", 0x0000, 4)
CITIZEN_ID = Field("citizen_id", 0x0004, 13)
NAME_TH = Field("name_th", 0x0011, 100)
NAME_EN = Field("name_en", 0x0075, 100)
BIRTH_DATE = Field("birth_date", 0x00D9, 8)
GENDER = Field("gender", 0x00E1, 1)
REQUEST_NUMBER = Field("request_number", 0x00E2, 20)
ISSUER = Field("issuer", 0x00F6, 100)
ISSUER_CODE = Field("issuer_code", 0x015A, 13)
ISSUE_DATE = Field("issue_date", 0x0167, 8)
EXPIRY_DATE = Field("expiry_date", 0x016F, 8)
CARD_TYPE = Field("card_type", 0x0177, 2)
PHOTO = Field("photo", 0x017B, 5118)
ADDRESS = Field("address", 0x1579, 160)

TEXT_FIELDS = (
    CITIZEN_ID,
    NAME_TH,
    NAME_EN,
    BIRTH_DATE,
    GENDER,
    ISSUER,
    ISSUER_CODE,
    ISSUE_DATE,
    EXPIRY_DATE,
    CARD_TYPE,
    ADDRESS,
)
# The nine fields a field-by-field reader fetches (the style the benchmark compares against).
CLASSIC_TEXT_FIELDS = (
    CITIZEN_ID,
    NAME_TH,
    NAME_EN,
    BIRTH_DATE,
    GENDER,
    ISSUER,
    ISSUE_DATE,
    EXPIRY_DATE,
    ADDRESS,
)

MAX_READ = 255
PHOTO_CHUNK = 255
PHOTO_CHUNKS = 20  # 20 x 255 = 5100 bytes: what real photos fit in, as every public reader assumes


@dataclass(frozen=True)
class Block:
    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length


def plan_blocks(fields: tuple[Field, ...], max_len: int = MAX_READ) -> tuple[Block, ...]:
    """Merge fields into as few reads as possible; a gap is read through when the block stays <= max_len.

    Reading a few unused bytes (the request number) costs nothing; another READ + GET RESPONSE costs two
    round trips.
    """
    blocks: list[Block] = []
    for f in sorted(fields, key=lambda f: f.offset):
        if blocks and f.offset + f.length - blocks[-1].offset <= max_len:
            last = blocks[-1]
            blocks[-1] = Block(last.offset, max(last.end, f.offset + f.length) - last.offset)
        else:
            blocks.append(Block(f.offset, f.length))
    return tuple(blocks)


TEXT_BLOCKS = plan_blocks(TEXT_FIELDS)
