"""The board's announcer: the chime, the Thai words, real espeak-ng, a real (failing) aplay."""

from __future__ import annotations

import logging
import shutil
import sys
import time
import wave
from pathlib import Path

import pytest

from kiosk.ui.announce import Announcer, call_text_th, counter_th, spell_th, thai_voice, write_chime

RECORDER = """
import sys, os
log, wav = sys.argv[1], sys.argv[2]
with open(log, "a", encoding="utf-8") as fh:
    fh.write(f"{os.path.basename(wav)}\\t{os.path.getsize(wav)}\\n")
"""


def recording_player(tmp_path: Path) -> tuple[list[str], Path]:
    """A real player process that writes down the file it was given and its size."""
    script = tmp_path / "player.py"
    script.write_text(RECORDER, encoding="utf-8")
    log = tmp_path / "played.log"
    return [sys.executable, str(script), str(log)], log


def played(log: Path) -> list[tuple[str, int]]:
    if not log.exists():
        return []
    return [(n, int(s)) for n, s in (line.split("\t") for line in log.read_text().splitlines())]


def wait_for(predicate, timeout: float = 20.0) -> None:  # noqa: ANN001
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_numbers_are_spelt_out_in_thai() -> None:
    assert spell_th("A042") == "เอ ศูนย์ สี่ สอง"
    assert spell_th("c1001") == "ซี หนึ่ง ศูนย์ ศูนย์ หนึ่ง"
    assert counter_th("3") == "สาม"
    assert counter_th("12") == "สิบสอง"
    assert counter_th("2A") == "สอง เอ"
    assert call_text_th("A042", "3") == "หมายเลข เอ ศูนย์ สี่ สอง เชิญที่ช่องบริการ สาม"
    assert call_text_th("B007", "1", recall=True).startswith("เรียกซ้ำ หมายเลข บี ศูนย์ ศูนย์ เจ็ด")


def test_the_chime_is_two_tones_of_clean_audio(tmp_path: Path) -> None:
    path = write_chime(tmp_path / "chime.wav")
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22_050)
        frames = w.readframes(w.getnframes())
        seconds = w.getnframes() / w.getframerate()
    assert 0.5 < seconds < 2.0
    samples = memoryview(frames).cast("h")
    half = len(samples) // 2

    def crossings(part: memoryview) -> int:
        return sum(1 for a, b in zip(part[:-1], part[1:], strict=True) if (a < 0) != (b < 0))

    # A higher then a lower tone: the first half crosses zero more often than the second.
    assert crossings(samples[: half // 2]) > crossings(samples[half : half + half // 2]) * 1.1
    assert max(abs(s) for s in samples) < 32_767  # never clipped


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_a_call_chimes_then_speaks_thai_through_the_player(tmp_path: Path) -> None:
    player, log = recording_player(tmp_path)
    assert thai_voice(shutil.which("espeak-ng"))
    announcer = Announcer(player=player, workdir=tmp_path / "audio")
    try:
        assert announcer.wait_ready(15)  # the Thai voice is looked for on the announcer's thread
        assert announcer.chime_available and announcer.speech_available and not announcer.sound_off
        started = time.monotonic()
        announcer.announce("A042", "3")
        assert time.monotonic() - started < 0.05, "announce() must not wait for the sound"
        wait_for(lambda: len(announcer.history()) == 1)
        done = announcer.history()[0]
        assert done.ok
        assert done.text == "หมายเลข เอ ศูนย์ สี่ สอง เชิญที่ช่องบริการ สาม"
        espeak = next(c for c in done.commands if c[0].endswith("espeak-ng"))
        assert espeak[espeak.index("-v") + 1] == "th"
        files = played(log)
        assert [name for name, _ in files] == ["chime.wav", "call-th.wav"]
        # The speech really was rendered: a WAV with more than a header.
        assert all(size > 10_000 for _, size in files)
    finally:
        assert announcer.stop()


def test_without_player_or_voice_the_sound_is_off(tmp_path: Path) -> None:
    announcer = Announcer(player=None, espeak=None, detect=False, workdir=tmp_path)
    try:
        assert announcer.sound_off
        announcer.announce("B001", "2")
        wait_for(lambda: len(announcer.history()) == 1)
        assert announcer.history()[0].commands == []
    finally:
        assert announcer.stop()


def test_chime_alone_without_a_thai_voice(tmp_path: Path) -> None:
    player, log = recording_player(tmp_path)
    announcer = Announcer(player=player, espeak=None, detect=False, workdir=tmp_path / "a")
    try:
        assert not announcer.sound_off and not announcer.speech_available
        announcer.announce("C003", "1")
        wait_for(lambda: len(announcer.history()) == 1)
        assert [name for name, _ in played(log)] == ["chime.wav"]
    finally:
        assert announcer.stop()


@pytest.mark.skipif(shutil.which("aplay") is None, reason="aplay is not installed")
def test_no_sound_card_is_one_log_line_and_calls_go_on(tmp_path: Path, caplog) -> None:  # noqa: ANN001
    # aplay with no sound card fails: the board must carry on, and say so once.
    announcer = Announcer(
        player=[shutil.which("aplay") or "aplay", "-q"], espeak=None, detect=False, workdir=tmp_path
    )
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.ui.announce"):
            announcer.announce("A001", "1")
            announcer.announce("A002", "2")
            wait_for(lambda: len(announcer.history()) == 2)
        if all(p.ok for p in announcer.history()):
            pytest.skip("this machine has a working sound card")
        assert announcer.silent
        assert len([r for r in caplog.records if "player failed" in r.getMessage()]) == 1
    finally:
        assert announcer.stop()


SLOW_ESPEAK = """#!/bin/sh
sleep 2
echo "Pty Language       Age/Gender VoiceName          File                 Other Languages"
echo " 5  th              --/M      Thai               sit/th"
"""

SLOW_PLAYER = """
import sys, os, time
time.sleep(1.0)
with open(sys.argv[1], "a", encoding="utf-8") as fh:
    fh.write(f"{os.path.basename(sys.argv[2])}\\t{os.path.getsize(sys.argv[2])}\\n")
"""


def test_the_thai_voice_is_looked_for_on_the_announcer_thread(tmp_path: Path) -> None:
    espeak = tmp_path / "espeak-ng"
    espeak.write_text(SLOW_ESPEAK, encoding="utf-8")
    espeak.chmod(0o755)
    started = time.monotonic()
    announcer = Announcer(player=None, espeak=str(espeak), workdir=tmp_path / "a")
    try:
        assert time.monotonic() - started < 1.0, "the board's window must not wait for espeak-ng"
        assert not announcer.speech_available  # not known yet: no voice promised
        assert announcer.wait_ready(10)
        assert announcer.speech_available and not announcer.sound_off
    finally:
        assert announcer.stop()


def test_calls_that_waited_too_long_in_the_queue_are_dropped(tmp_path: Path) -> None:
    script = tmp_path / "slow_player.py"
    script.write_text(SLOW_PLAYER, encoding="utf-8")
    log = tmp_path / "played.log"
    announcer = Announcer(
        player=[sys.executable, str(script), str(log)],
        espeak=None,
        detect=False,
        workdir=tmp_path / "a",
        stale_after=0.5,
    )
    try:
        for number in ("A001", "A002", "A003"):
            announcer.announce(number, "1")
        # A001 plays for a second; A002 and A003 have waited longer than half a second by then.
        wait_for(lambda: len(announcer.dropped()) == 2)
        assert [a.number for a in announcer.dropped()] == ["A002", "A003"]
        announcer.announce("A004", "2")  # the announcer is idle again: played at once
        wait_for(lambda: len(announcer.history()) == 2)
        assert [p.announcement.number for p in announcer.history()] == ["A001", "A004"]
        assert [name for name, _ in played(log)] == ["chime.wav", "chime.wav"]
    finally:
        assert announcer.stop()
