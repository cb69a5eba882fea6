"""The board's voice: a chime, then the number called out in Thai, on a thread of its own.

A call is a generated two-tone chime (a WAV written once with `wave`) and, where `espeak-ng` has a
Thai voice, the number spelt out digit by digit ("หมายเลข เอ ศูนย์ สี่ สอง เชิญที่ช่องบริการ สาม").
Speech is rendered to a WAV file with `espeak-ng -w` and played by the same player as the chime
(`aplay` by default), so one command plays everything and tests can inject a player that records
what it was given. With no player the speech goes to espeak-ng's own audio output; with neither the
board says the sound is off. A machine without a sound card makes the player fail: that is logged
once and the calls go on silently. Nothing here touches widgets; `announce` never blocks.

Nothing blocks the caller's (the GUI's) thread: whether espeak-ng has a Thai voice is asked on the
announcer's thread before the first call (until then `speech_available` is False), and a call that
waited in the queue longer than `stale_after` seconds (local monotonic clock; the calls before it
took long to play) is dropped when it is taken off the queue rather than read out late. `stop`
drops what is queued and stops what is playing, so it returns at once when the thread is idle or
playing, and waits at most its `timeout` while the voice is still being looked for.
"""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.domain.thai import number_words

log = logging.getLogger(__name__)

PLAYERS = (("aplay", "-q"), ("paplay",), ("pw-play",))
ESPEAK = "espeak-ng"
PLAY_TIMEOUT = 30.0
SPEAK_TIMEOUT = 20.0
STALE_AFTER = 60.0  # seconds a call may wait behind others before it is no longer worth reading out
RATE = 22_050

THAI_DIGITS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
# How Thai speakers name the Latin letters on a ticket.
THAI_LETTERS = {
    "A": "เอ",
    "B": "บี",
    "C": "ซี",
    "D": "ดี",
    "E": "อี",
    "F": "เอฟ",
    "G": "จี",
    "H": "เอช",
    "I": "ไอ",
    "J": "เจ",
    "K": "เค",
    "L": "แอล",
    "M": "เอ็ม",
    "N": "เอ็น",
    "O": "โอ",
    "P": "พี",
    "Q": "คิว",
    "R": "อาร์",
    "S": "เอส",
    "T": "ที",
    "U": "ยู",
    "V": "วี",
    "W": "ดับเบิลยู",
    "X": "เอ็กซ์",
    "Y": "วาย",
    "Z": "แซด",
}


def spell_th(text: str) -> str:
    """A ticket number as it is read out: each letter by its Thai name, each digit on its own."""
    words = []
    for ch in text.upper():
        if ch.isdigit():
            words.append(THAI_DIGITS[int(ch)])
        elif ch in THAI_LETTERS:
            words.append(THAI_LETTERS[ch])
    return " ".join(words)


def counter_th(counter: str) -> str:
    """A counter is a place, not a code: "12" is สิบสอง; an id with letters is spelt out."""
    return number_words(int(counter)) if counter.isdigit() else spell_th(counter)


def call_text_th(number: str, counter: str, *, recall: bool = False) -> str:
    again = "เรียกซ้ำ " if recall else ""
    return f"{again}หมายเลข {spell_th(number)} เชิญที่ช่องบริการ {counter_th(counter)}"


def call_text_en(number: str, counter: str, *, recall: bool = False) -> str:
    spelt = " ".join(number.upper())
    again = "Again, " if recall else ""
    return f"{again}number {spelt}, please go to counter {counter}."


def write_chime(path: Path, *, tones: Sequence[float] = (988.0, 784.0), seconds: float = 0.45) -> Path:
    """A two-tone "ding-dong": each tone decays so it never clicks; 16-bit mono."""
    frames = bytearray()
    for freq in tones:
        count = int(RATE * seconds)
        for i in range(count):
            t = i / RATE
            envelope = math.exp(-4.0 * t / seconds) * min(1.0, i / 200)
            sample = envelope * (
                0.7 * math.sin(2 * math.pi * freq * t) + 0.2 * math.sin(4 * math.pi * freq * t)
            )
            frames += struct.pack("<h", int(max(-1.0, min(1.0, sample)) * 26_000))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    return path


def find_player() -> list[str] | None:
    for command in PLAYERS:
        found = shutil.which(command[0])
        if found:
            return [found, *command[1:]]
    return None


def thai_voice(espeak: str | None) -> bool:
    """Whether this espeak-ng lists a Thai voice (`espeak-ng --voices=th`)."""
    if espeak is None:
        return False
    try:
        out = subprocess.run(  # noqa: S603 - a fixed argument list, the binary found on PATH
            [espeak, "--voices=th"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(line.split()[1:2] == ["th"] for line in out.splitlines()[1:] if line.strip())


@dataclass(frozen=True)
class Announcement:
    number: str
    counter: str
    recall: bool = False
    queued_at: float = field(default=0.0, compare=False)  # time.monotonic() when it was queued


@dataclass
class Played:
    """What one announcement did: the commands run, in order, and whether the player worked."""

    announcement: Announcement
    commands: list[list[str]] = field(default_factory=list)
    text: str = ""
    ok: bool = True


class Announcer:
    """Queues calls and plays them one after another on the `kiosk-announcer` thread."""

    def __init__(
        self,
        *,
        player: Sequence[str] | None = None,
        espeak: str | None = None,
        detect: bool = True,
        english: bool = False,
        workdir: Path | None = None,
        on_played: Callable[[Played], None] | None = None,
        stale_after: float = STALE_AFTER,
    ) -> None:
        """`player` is the argv that plays a WAV (the file is appended); by default the first of
        aplay, paplay, pw-play on PATH. `espeak` is the espeak-ng binary; by default found on PATH;
        it is used once it lists a Thai voice (asked on the announcer's thread: `wait_ready`).
        `detect=False` looks for neither on PATH."""
        self.player = list(player) if player is not None else (find_player() if detect else None)
        self._espeak_candidate = espeak if espeak is not None else (shutil.which(ESPEAK) if detect else None)
        self.espeak: str | None = None  # set on the announcer's thread once a Thai voice is found
        self.english = english
        self.stale_after = stale_after
        self.on_played = on_played
        self._own_dir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="kiosk-announce-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.chime = write_chime(self.workdir / "chime.wav")
        self.played: list[Played] = []
        self._dropped: list[Announcement] = []
        self._lock = threading.Lock()
        self._player_failed = False
        self._warned = False
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._queue: queue.Queue[Announcement | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="kiosk-announcer", daemon=True)
        self._thread.start()

    @property
    def chime_available(self) -> bool:
        return self.player is not None

    @property
    def speech_available(self) -> bool:
        return self.espeak is not None

    @property
    def sound_off(self) -> bool:
        """Nothing to play with: no player and no Thai voice."""
        return not (self.chime_available or self.speech_available)

    @property
    def silent(self) -> bool:
        """The player exists but failed (no sound card): the calls are not heard."""
        return self._player_failed

    def announce(self, number: str, counter: str, *, recall: bool = False) -> None:
        """Queue a call; returns at once. Calls play in the order they were queued."""
        if self._thread.is_alive():
            self._queue.put(Announcement(number, counter, recall, queued_at=time.monotonic()))

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the Thai voice has been looked for (tests; the board just asks again later)."""
        return self._ready.wait(timeout)

    def history(self) -> list[Played]:
        with self._lock:
            return list(self.played)

    def dropped(self) -> list[Announcement]:
        """Calls taken off the queue too late to be read out (`stale_after`)."""
        with self._lock:
            return list(self._dropped)

    def stop(self, timeout: float = 5.0) -> bool:
        """Drop the queued calls and stop the one playing; True when the thread has ended (within
        `timeout`: at once unless the voice is still being looked for)."""
        self._stopping.set()
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
        self._queue.put(None)
        with self._lock:
            process = self._process
        if process is not None:
            with contextlib.suppress(OSError):
                process.terminate()
        self._thread.join(timeout)
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return not self._thread.is_alive()

    # --- the worker thread -------------------------------------------------------------------

    def _detect(self) -> None:
        candidate = self._espeak_candidate
        try:
            if candidate is not None and not self._stopping.is_set() and thai_voice(candidate):
                self.espeak = candidate
        finally:
            self._ready.set()

    def _loop(self) -> None:
        self._detect()
        while True:
            item = self._queue.get()
            if item is None:
                return
            if time.monotonic() - item.queued_at > self.stale_after:
                # The calls before it took long to play: read out now, it would send people late.
                log.info(
                    "call %s to counter %s dropped: it waited too long to be read out",
                    item.number,
                    item.counter,
                )
                with self._lock:
                    self._dropped.append(item)
                continue
            try:
                done = self._play(item)
            except Exception:  # a broken call must not silence the next one
                log.exception("announcement failed")
                continue
            with self._lock:
                self.played.append(done)
            if self.on_played is not None:
                self.on_played(done)

    def _play(self, a: Announcement) -> Played:
        done = Played(a)
        if self.player is not None:
            done.ok = self._run([*self.player, str(self.chime)], PLAY_TIMEOUT, done, playing=True)
        if self.espeak is None:
            return done
        done.text = call_text_th(a.number, a.counter, recall=a.recall)
        texts = [("th", done.text)]
        if self.english:
            texts.append(("en", call_text_en(a.number, a.counter, recall=a.recall)))
        for voice, text in texts:
            if self.player is None:
                self._run([self.espeak, "-v", voice, "-s", "140", text], SPEAK_TIMEOUT, done)
                continue
            wav = self.workdir / f"call-{voice}.wav"
            if self._run([self.espeak, "-v", voice, "-s", "140", "-w", str(wav), text], SPEAK_TIMEOUT, done):
                done.ok = self._run([*self.player, str(wav)], PLAY_TIMEOUT, done, playing=True) and done.ok
        return done

    def _run(self, argv: list[str], timeout: float, done: Played, *, playing: bool = False) -> bool:
        done.commands.append(argv)
        if self._stopping.is_set():
            return False
        try:
            process = subprocess.Popen(  # noqa: S603 - our own argv: the player or espeak-ng
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError as exc:
            ok, detail = False, type(exc).__name__
        else:
            with self._lock:
                self._process = process  # `stop` ends it
            if self._stopping.is_set():
                process.terminate()  # `stop` came between the check above and this
            try:
                returncode = process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                ok, detail = False, "TimeoutExpired"
            else:
                ok, detail = returncode == 0, f"exit {returncode}"
            finally:
                with self._lock:
                    self._process = None
            if self._stopping.is_set():
                return False  # stopped on the way out: not a broken player
        if playing:
            self._player_failed = not ok
            if not ok and not self._warned:
                # No sound card (or none reachable): one line, then the board carries on silently.
                self._warned = True
                log.warning("the sound player failed (%s): calls go on without sound", detail)
        elif not ok:
            log.warning("speech failed (%s)", detail)
        return ok
