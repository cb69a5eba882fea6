"""The display board: the wall screen of the waiting room, read from five metres away.

`BoardWindow` lays out: now serving (number and counter, the largest type), recently called,
waiting counts with the estimated wait per line, the office name, the clock with the Buddhist-Era
date, and "sound off" when the machine can neither chime nor speak. White and amber on near-black.
Type scales with the window's height, so a 1080p screen and a small test window look alike.

`BoardController` reads `QueueStore.board()` about once a second on the `kiosk-board` thread (the
board may run in its own process on the same data directory: SQLite WAL lets it read while the
kiosk and the counters write). Each new `Call` (by event id; never on the first read, never twice)
goes to the announcer, which chimes and speaks on its own thread.

"New" is judged by this board alone, never by the time in the event: that is the calling device's
clock, which may be minutes off this one's. A call first seen in a poll after the first read is read
out if its ticket is still called at that counter (not already at the counter, not over). A poll that
brings more than CATCH_UP calls at once is a catch-up (a merge after an outage): only each
counter's newest call is read out.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.counter import Counter
from kiosk.domain.sla import BANGKOK
from kiosk.domain.thai import format_date_long
from kiosk.storage.queue import BoardState, Call, QueueStore
from kiosk.ui import theme
from kiosk.ui.announce import Announcer
from kiosk.ui.errors import UserMessage
from kiosk.ui.ops import Operation, Runner
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.widgets import clear_layout

log = logging.getLogger(__name__)

POLL_MS = 1000
SERVING_ROWS = 5
RECENT_ROWS = 6
CATCH_UP = 4  # more new calls than this in one poll: a merge after an outage, not calls made now
THAI_DAYS = ("วันจันทร์", "วันอังคาร", "วันพุธ", "วันพฤหัสบดี", "วันศุกร์", "วันเสาร์", "วันอาทิตย์")

BG = "#0b0f17"
PANEL = "#18202e"
TEXT = "#ffffff"
MUTED = "#c9d2e0"  # 12:1 on BG
CALLED = "#ffd23f"  # amber: called, the applicant should come now (14:1 on BG)
RULE = "#34425a"


def board_style(height: int) -> str:
    """Sizes from the window's height: on 1080 lines the numbers are 150 px, about 6 cm on a 43" screen."""
    unit = max(height, 360) / 1080

    def px(size: float) -> int:
        return max(10, round(size * unit))

    return f"""
QWidget#board {{ background: {BG}; }}
QWidget#board QWidget {{ background: transparent; }}
QWidget#board QLabel {{ color: {TEXT}; background: transparent; }}
QWidget#board QLabel#boardOffice {{ font-size: {px(46)}px; font-weight: 700; }}
QWidget#board QLabel#boardClock {{ font-size: {px(52)}px; font-weight: 700; }}
QWidget#board QLabel#boardDate {{ font-size: {px(30)}px; color: {MUTED}; }}
QWidget#board QLabel#boardSound {{ font-size: {px(26)}px; color: {BG}; background: {MUTED}; border-radius: {px(8)}px;
    padding: {px(2)}px {px(12)}px; }}
QWidget#board QLabel[role="boardCaption"] {{ font-size: {px(34)}px; font-weight: 700; color: {MUTED}; }}
QWidget#board QLabel[role="servingNumber"] {{ font-size: {px(150)}px; font-weight: 800; }}
QWidget#board QLabel[role="servingCounter"] {{ font-size: {px(150)}px; font-weight: 800; }}
QWidget#board QLabel[role="servingArrow"] {{ font-size: {px(90)}px; color: {MUTED}; }}
QWidget#board QLabel[state="called"] {{ color: {CALLED}; }}
QWidget#board QLabel[role="recent"] {{ font-size: {px(54)}px; font-weight: 700; }}
QWidget#board QLabel[role="group"] {{ font-size: {px(34)}px; font-weight: 700; }}
QWidget#board QLabel[role="groupDetail"] {{ font-size: {px(30)}px; color: {MUTED}; }}
QWidget#board QLabel[role="legend"] {{ font-size: {px(28)}px; color: {CALLED}; }}
QWidget#board QLabel[role="empty"] {{ font-size: {px(46)}px; color: {MUTED}; }}
QWidget#board QWidget#boardPanel {{ background: {PANEL}; border-radius: {px(18)}px; }}
QWidget#boardHeader {{ border-bottom: {px(4)}px solid {RULE}; }}
"""


def _label(text: str = "", role: str = "", *, name: str = "", wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(wrap)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    return widget


def clock_texts(now: dt.datetime) -> tuple[str, str]:
    """("10:42", "วันเสาร์ที่ 22 พฤศจิกายน 2568"): Bangkok time, Buddhist-Era year."""
    local = now.astimezone(BANGKOK)
    return f"{local:%H:%M}", f"{THAI_DAYS[local.weekday()]}ที่ {format_date_long(local.date())}"


@dataclass(frozen=True)
class ServingRow:
    number: str
    counter: str
    called: bool  # called and not yet at the counter: shown in amber


class BoardWindow(QWidget):
    closing = Signal()

    def __init__(self, *, office_name: str) -> None:
        super().__init__()
        self.setObjectName("board")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Counter Kiosk: board")
        self.setMinimumSize(640, 360)
        root = QVBoxLayout(self)
        root.setContentsMargins(40, 24, 40, 24)
        root.setSpacing(20)

        header = QWidget()
        header.setObjectName("boardHeader")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        top = QHBoxLayout(header)
        top.setContentsMargins(0, 0, 0, 12)
        self.office = _label(office_name, name="boardOffice", wrap=True)
        self.sound = _label("ปิดเสียง · Sound off", name="boardSound")
        self.sound.hide()
        clock = QVBoxLayout()
        clock.setSpacing(0)
        self.clock = _label(name="boardClock")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.date = _label(name="boardDate")
        self.date.setAlignment(Qt.AlignmentFlag.AlignRight)
        clock.addWidget(self.clock)
        clock.addWidget(self.date)
        top.addWidget(self.office, 1)
        top.addWidget(self.sound, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addSpacing(24)
        top.addLayout(clock)
        root.addWidget(header)

        body = QHBoxLayout()
        body.setSpacing(32)
        serving = QVBoxLayout()
        serving.setSpacing(0)
        captions = QHBoxLayout()
        self.number_caption = _label("หมายเลข · Number", "boardCaption")
        self.counter_caption = _label("ช่องบริการ · Counter", "boardCaption")
        self.counter_caption.setAlignment(Qt.AlignmentFlag.AlignRight)
        captions.addWidget(self.number_caption, 1)
        captions.addWidget(self.counter_caption, 1)
        serving.addLayout(captions)
        self.serving_grid = QGridLayout()
        self.serving_grid.setHorizontalSpacing(24)
        self.serving_grid.setVerticalSpacing(0)
        serving.addLayout(self.serving_grid)
        serving.addStretch(1)
        self.legend = _label(
            "ตัวเลขสีเหลือง: เชิญที่ช่องบริการ · Yellow: please go to the counter now", "legend", wrap=True
        )
        serving.addWidget(self.legend)
        body.addLayout(serving, 3)

        side = QWidget()
        side.setObjectName("boardPanel")
        side.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        right = QVBoxLayout(side)
        right.setContentsMargins(28, 20, 28, 20)
        right.setSpacing(8)
        self.recent_caption = _label("เรียกแล้ว · Called", "boardCaption")
        self.recent_grid = QGridLayout()
        self.recent_grid.setHorizontalSpacing(24)
        self.groups_caption = _label("รอรับบริการ · Waiting", "boardCaption")
        self.groups_box = QVBoxLayout()
        self.groups_box.setSpacing(4)
        right.addWidget(self.recent_caption)
        right.addLayout(self.recent_grid)
        right.addSpacing(16)
        right.addWidget(self.groups_caption)
        right.addLayout(self.groups_box)
        right.addStretch(1)
        body.addWidget(side, 2)
        root.addLayout(body, 1)
        self._style_height = 0
        self._restyle()

    # --- content ------------------------------------------------------------------------------

    def show_serving(self, rows: list[ServingRow]) -> None:
        clear_layout(self.serving_grid)
        if not rows:
            self.serving_grid.addWidget(
                _label("รอเรียกหมายเลขถัดไป · Waiting for the next call", "empty", wrap=True), 0, 0, 1, 3
            )
            return
        for i, row in enumerate(rows):
            state = "called" if row.called else "serving"
            number = _label(row.number, "servingNumber")
            arrow = _label("→", "servingArrow")
            counter = _label(row.counter, "servingCounter")
            counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for w in (number, counter):
                w.setProperty("state", state)
            self.serving_grid.addWidget(number, i, 0)
            self.serving_grid.addWidget(arrow, i, 1, Qt.AlignmentFlag.AlignCenter)
            self.serving_grid.addWidget(counter, i, 2)
        self.serving_grid.setColumnStretch(0, 3)
        self.serving_grid.setColumnStretch(2, 2)

    def show_recent(self, rows: list[tuple[str, str]]) -> None:
        clear_layout(self.recent_grid)
        if not rows:
            self.recent_grid.addWidget(_label("—", "recent"), 0, 0)
            return
        for i, (number, counter) in enumerate(rows):
            self.recent_grid.addWidget(_label(number, "recent"), i, 0)
            where = _label(f"ช่อง {counter}", "recent")
            where.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.recent_grid.addWidget(where, i, 1)

    def show_groups(self, rows: list[tuple[str, str]]) -> None:
        clear_layout(self.groups_box)
        for title, detail in rows:
            self.groups_box.addWidget(_label(title, "group", wrap=True))
            self.groups_box.addWidget(_label(detail, "groupDetail", wrap=True))

    def set_clock(self, time_text: str, date_text: str) -> None:
        self.clock.setText(time_text)
        self.date.setText(date_text)

    def set_sound(self, on: bool) -> None:
        self.sound.setVisible(not on)

    # --- look ---------------------------------------------------------------------------------

    def _restyle(self) -> None:
        height = self.height()
        if abs(height - self._style_height) < 8:
            return
        self._style_height = height
        self.setStyleSheet(board_style(height))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._restyle()
        super().resizeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        emit(self.closing)
        super().closeEvent(event)


class BoardController(QObject):
    updated = Signal(object)  # BoardState
    announced = Signal(object)  # Call
    failed = Signal(str)

    def __init__(
        self,
        window: BoardWindow,
        queue: QueueStore,
        config: Config,
        *,
        announcer: Announcer | None = None,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__()
        self.w = window
        self.queue = queue
        self.config = config
        self.announcer = announcer
        self.runner = Runner("board", self)
        self.state: BoardState | None = None
        self._loaded = False
        self._polling = False
        self._closed = False
        # Event ids already read out (or deliberately not); bounded, newest kept.
        self._seen: set[str] = set()
        self._seen_order: deque[str] = deque()
        self.timer = QTimer(self)
        self.timer.setObjectName("boardPoll")
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.tick)
        self.w.set_sound(announcer is not None and not announcer.sound_off)
        self.tick()
        self.timer.start()

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        self.runner.shutdown()
        if self.announcer is not None:
            self.announcer.stop()

    def tick(self) -> None:
        """The clock every tick; the queue when the last read has come back."""
        self.w.set_clock(*clock_texts(dt.datetime.now(dt.UTC)))
        if self.announcer is not None:
            self.w.set_sound(not self.announcer.sound_off and not self.announcer.silent)
        if self._polling or self._closed:
            return
        queue = self.queue

        def done(state: BoardState) -> None:
            self._polling = False
            if not self._closed:
                self.show(state)

        def failed(message: UserMessage) -> None:
            self._polling = False
            emit(self.failed, message.kind)  # the board keeps its last picture; the next tick retries

        self._polling = True
        self.runner.submit(Operation("board", lambda: queue.board(recent=RECENT_ROWS), done, failed))

    def show(self, state: BoardState) -> None:
        self.state = state
        self.w.show_serving(
            [ServingRow(t.number, t.counter, t.state == "called") for t in state.now_serving[:SERVING_ROWS]]
        )
        shown = {t.number for t in state.now_serving[:SERVING_ROWS]}
        self.w.show_recent(
            [(t.number, t.counter) for t in state.recent if t.number not in shown][:RECENT_ROWS]
        )
        self.w.show_groups(
            [_group_row(g.prefix, g.name_th, g.name_en, g.waiting, g.wait_minutes) for g in state.groups]
        )
        self._announce(state.calls)
        emit(self.updated, state)

    def _announce(self, calls: list[Call]) -> None:
        first = not self._loaded
        if first:
            log.info("board ready: %d call(s) made before it started are not read out", len(calls))
        self._loaded = True
        new = [call for call in reversed(calls) if call.event_id not in self._seen]  # oldest first
        for call in new:
            self._remember(call.event_id)
        if first:
            return  # what was called before the board started
        if len(new) > CATCH_UP:
            newest = {call.counter: call for call in new}
            log.info(
                "%d calls arrived at once (a catch-up): only each counter's newest is read out", len(new)
            )
            new = [call for call in new if newest[call.counter] is call]
        for call in new:
            if not call.live:
                continue  # the applicant is at the counter already, or the ticket is over
            log.info("call %s to counter %s%s", call.number, call.counter, " (recall)" if call.recall else "")
            if self.announcer is not None:
                self.announcer.announce(call.number, call.counter, recall=call.recall)
            emit(self.announced, call)

    def _remember(self, event_id: str) -> None:
        self._seen.add(event_id)
        self._seen_order.append(event_id)
        while len(self._seen_order) > 2000:
            self._seen.discard(self._seen_order.popleft())


def _group_row(prefix: str, name_th: str, name_en: str, waiting: int, wait_minutes: int) -> tuple[str, str]:
    title = f"{prefix}  {name_th}"
    if waiting:
        detail = f"รอ {waiting} คิว · ประมาณ {wait_minutes} นาที   {waiting} waiting · about {wait_minutes} min"
    else:
        detail = "ไม่มีคิวรอ · No one waiting"
    return title, detail


@dataclass
class Board:
    window: BoardWindow
    controller: BoardController

    def shutdown(self) -> None:
        self.controller.shutdown()
        self.window.close()
        self.window.deleteLater()


def build_board(
    counter: Counter,
    *,
    announcer: Announcer | None = None,
    sound: bool = True,
    poll_ms: int = POLL_MS,
) -> Board:
    """The board as `kiosk board` starts it: by default with an `Announcer` on this machine's player
    and Thai voice (`sound=False`: none). Tests pass an announcer with a recording player."""
    app = QApplication.instance()
    assert isinstance(app, QApplication), "create the QApplication first"
    theme.apply(app)
    config = counter.config
    if announcer is None and sound:
        announcer = Announcer()
    window = BoardWindow(office_name=config.office.name_th)
    controller = BoardController(window, counter.queue, config, announcer=announcer, poll_ms=poll_ms)
    return Board(window, controller)
