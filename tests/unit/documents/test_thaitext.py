"""Thai wrapped at word boundaries, never mid-word, and within the width it was given."""

from __future__ import annotations

import pytest

from kiosk.documents import fonts, thaitext

SENTENCE = (
    "จึงขอแจ้งให้ท่านทราบเพื่อดำเนินการแก้ไขให้ถูกต้องหรือสมบูรณ์ และส่งเอกสารหรือหลักฐานเพิ่มเติม"
    "ภายในเจ็ดวันนับแต่วันที่ได้ลงนามรับทราบในบันทึกนี้"
)
WORDS = ("ดำเนิน", "แก้ไข", "ถูกต้อง", "สมบูรณ์", "เอกสาร", "หลักฐาน", "เพิ่มเติม", "รับทราบ", "บันทึก")


@pytest.fixture(autouse=True)
def _fonts() -> None:
    fonts.register()


def test_segments_come_from_a_thai_dictionary() -> None:
    pieces = thaitext.segments("ใบแจ้งการชำระเงินค่าธรรมเนียม")
    assert "".join(pieces) == "ใบแจ้งการชำระเงินค่าธรรมเนียม"
    assert "ค่า" in pieces or "ค่าธรรมเนียม" in pieces
    assert len(pieces) >= 4, "Qt found no Thai word breaks: is libthai installed?"


@pytest.mark.parametrize("width", [90.0, 120.0, 200.0, 300.0])
def test_wrap_keeps_words_whole_and_lines_within_width(width: float) -> None:
    lines = thaitext.wrap(SENTENCE, fonts.REGULAR, 12, width)
    assert "".join(lines).replace(" ", "") == SENTENCE.replace(" ", "")
    for line in lines:
        assert thaitext.width(line, fonts.REGULAR, 12) <= width + 0.01
    for word in WORDS:
        whole = any(word in line for line in lines)
        split = any(
            word in a + b and word not in a and word not in b for a, b in zip(lines, lines[1:], strict=False)
        )
        assert whole or not split, f"{word} broken across lines at width {width}: {lines}"


def test_break_points_are_qt_line_breaks() -> None:
    lines = thaitext.wrap(SENTENCE, fonts.REGULAR, 12, 150)
    allowed = set()
    pos = 0
    for piece in thaitext.segments(SENTENCE):
        pos += len(piece)
        allowed.add(pos)
    consumed = 0
    for line in lines[:-1]:
        consumed = SENTENCE.index(line, consumed) + len(line)
        rest = SENTENCE[consumed:]
        consumed += len(rest) - len(rest.lstrip())
        assert consumed in allowed


def test_no_break_space_holds_a_phone_number_to_its_label() -> None:
    lines = thaitext.wrap("ติดต่อสอบถาม โทร\u00a0034-277050", fonts.REGULAR, 12, 95)
    assert any("โทร\u00a0034-277050" in line for line in lines)


def test_a_run_wider_than_the_line_is_cut_between_clusters_not_marks() -> None:
    lines = thaitext.wrap("ผู้ที่ต้องการ" * 6, fonts.REGULAR, 12, 20)
    assert all(
        line and line[0] not in "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
        for line in lines
    )


def test_newlines_are_kept() -> None:
    assert thaitext.wrap("หนึ่ง\nสอง", fonts.REGULAR, 12, 500) == ["หนึ่ง", "สอง"]


def test_shaping_moves_tone_marks() -> None:
    plain = "ผู้"
    shaped = thaitext.shaped(plain, fonts.REGULAR, 12)
    assert hasattr(shaped, "__shapeData__")
    assert thaitext.shaped("ABC", fonts.REGULAR, 12) == "ABC"
