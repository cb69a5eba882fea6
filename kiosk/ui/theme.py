"""Look: a Thai font, large type and targets, high contrast. Layout code reads sizes from here."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

# Noto Sans Thai shapes Thai (stacked tone marks, sara am) correctly but has no Latin letters or digits:
# Noto Sans comes first for those, so numbers and names look the same in labels and in fields.
LATIN_FAMILIES = ("Noto Sans", "DejaVu Sans")
FONT_FAMILIES = ("Noto Sans Thai", "Noto Sans Thai UI", "Loma", "Tlwg Typo", "Garuda", "Sawasdee")

BODY_PT = 18  # the floor for body text
SMALL_PT = 18  # nothing an applicant reads is smaller than body
HEADING_PT = 30
TITLE_PT = 40
TARGET_PX = 64  # comfortably above the 48 px floor for older fingers
MIN_TARGET_PX = 48

INK = "#111111"
PAPER = "#ffffff"
PANEL = "#eef2f7"
PRIMARY = "#0b3d91"  # white on this is 11:1
PRIMARY_DARK = "#072a66"
ACCENT = "#ffbf00"  # focus ring: visible on white and on navy
DANGER = "#a00018"  # 7.9:1 on white
OK = "#0a6b2d"  # 6.9:1 on white
WARN_BG = "#fff3c4"
STAFF = "#4a1f7a"
SYNC_OFFLINE = "#b06f00"  # amber, not red: the counter works on without the network


def thai_family() -> str:
    available = set(QFontDatabase.families())
    for family in FONT_FAMILIES:
        if family in available:
            return family
    log.warning("no Thai font installed (fonts-noto-core or fonts-thai-tlwg); Thai may not shape")
    return QFont().defaultFamily()


STYLESHEET = f"""
QWidget {{ color: {INK}; background: {PAPER}; }}
QWidget#topBar {{ background: {PANEL}; }}
QWidget#topBar QLabel {{ background: transparent; }}
QLabel#officeName {{ font-weight: 600; }}
QLabel#syncText {{ color: #333333; }}
QWidget#topBar QLabel#syncDot {{ background: #6b6b6b; border-radius: 7px; }}
QWidget#topBar QLabel#syncDot[state="online"] {{ background: {OK}; }}
QWidget#topBar QLabel#syncDot[state="offline"] {{ background: {SYNC_OFFLINE}; }}
QLabel[role="title"] {{ font-size: {TITLE_PT}pt; font-weight: 700; }}
QLabel[role="heading"] {{ font-size: {HEADING_PT}pt; font-weight: 700; }}
QLabel[role="subheading"] {{ font-size: 22pt; font-weight: 700; margin-top: 8px; }}
QLabel[role="error"] {{ color: {DANGER}; font-weight: 600; }}
QLabel[role="ok"] {{ color: {OK}; font-weight: 600; }}
QLabel[role="muted"] {{ color: #333333; }}
QLabel[role="number"] {{ font-size: 48pt; font-weight: 700; color: {PRIMARY}; }}
QFrame[role="card"] {{ background: {PANEL}; border: 2px solid #c5cfdc; border-radius: 12px; }}
QFrame[role="card"] QLabel, QFrame[role="card"] QCheckBox {{ background: transparent; }}
QFrame[role="notice"] {{ background: {WARN_BG}; border: 2px solid #8a6d00; border-radius: 12px; }}
QFrame[role="notice"] QLabel {{ background: transparent; }}
QFrame[role="alert"] {{ background: #fde8ea; border: 2px solid {DANGER}; border-radius: 12px; }}
QFrame[role="alert"] QLabel {{ background: transparent; }}
QPushButton {{
    min-height: {TARGET_PX}px; padding: 6px 24px; border-radius: 10px;
    border: 2px solid {PRIMARY}; background: {PAPER}; color: {PRIMARY}; font-weight: 600;
}}
QPushButton[kind="primary"] {{ background: {PRIMARY}; color: white; }}
QPushButton[kind="primary"]:pressed {{ background: {PRIMARY_DARK}; }}
QPushButton[kind="danger"] {{ border-color: {DANGER}; color: {DANGER}; }}
QPushButton[kind="staff"] {{ border-color: {STAFF}; color: {STAFF}; }}
QPushButton[kind="choice"] {{ text-align: left; padding: 10px 20px; }}
QPushButton:checked {{ background: {PRIMARY}; color: white; }}
QPushButton:disabled {{ border-color: #8a8a8a; color: #5a5a5a; background: #e4e4e4; }}
QPushButton:focus, QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QCheckBox:focus,
QListWidget:focus {{ outline: none; border: 4px solid {ACCENT}; }}
QLineEdit, QPlainTextEdit, QComboBox {{
    min-height: {TARGET_PX - 8}px; border: 2px solid #555555; border-radius: 8px; padding: 4px 10px;
    background: {PAPER};
}}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {{
    border: 3px solid {DANGER};
}}
QLineEdit:read-only {{ background: {PANEL}; }}
QCheckBox {{ spacing: 14px; }}
QCheckBox::indicator {{ width: 48px; height: 48px; }}
QListWidget {{ border: 2px solid #555555; border-radius: 8px; }}
QListWidget::item {{ min-height: {TARGET_PX}px; padding: 8px; border-bottom: 1px solid #c5cfdc; }}
QListWidget::item:selected {{ background: {PRIMARY}; color: white; }}
QScrollBar:vertical {{ width: 28px; background: #e6e9ee; border: none; margin: 0; }}
QScrollBar::handle:vertical {{ background: #5b6b82; min-height: 64px; border-radius: 8px; margin: 3px; }}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; border: none; }}
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
QProgressBar {{ min-height: 36px; border: 2px solid #555555; border-radius: 8px; text-align: center; }}
QProgressBar::chunk {{ background: {PRIMARY}; }}
QPushButton[kind="staff"]:checked {{ background: {STAFF}; color: white; }}
QPushButton:checked:disabled {{ background: #4d4d4d; color: white; border-color: #4d4d4d; }}
QWidget#staffBar {{ background: {STAFF}; font-size: 16pt; }}
QWidget#staffBar QLabel {{ color: white; background: transparent; }}
QWidget#staffBar QPushButton {{ min-height: {MIN_TARGET_PX}px; border-color: white; color: white;
    background: {STAFF}; padding: 2px 12px; font-size: 16pt; }}
QWidget#staffBar QPushButton:checked {{ background: white; color: {STAFF}; }}
QWidget#staffBar QComboBox {{ min-height: {MIN_TARGET_PX - 4}px; font-size: 16pt; }}
QWidget#idleOverlay {{ background: rgba(0, 0, 0, 170); }}
QFrame#overlayBox {{ background: {PAPER}; border: 4px solid {PRIMARY}; border-radius: 16px; }}
"""


def families() -> list[str]:
    available = set(QFontDatabase.families())
    latin = [f for f in LATIN_FAMILIES if f in available][:1]
    return [*latin, thai_family()]


def apply(app: QApplication) -> str:
    family = thai_family()
    font = QFont()
    font.setFamilies(families())
    font.setPointSize(BODY_PT)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    app.setFont(font)
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
    return family
