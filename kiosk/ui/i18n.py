"""Translations through Qt's .ts/.qm: English source strings, Thai in `resources/translations`.

Every string the kiosk shows goes through `tr()` with one empty context, so `pyside6-lupdate`
extracts the calls and the runtime lookup uses the same context. Texts that come from service
definitions or errors already carry Thai and English; `pick()` chooses between them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from kiosk.config import RESOURCES

log = logging.getLogger(__name__)

TRANSLATIONS = RESOURCES / "translations"
LANGUAGES = ("th", "en")

_current = "th"


def tr(text: str) -> str:
    """Translate `text` for the current language. Placeholders are `{name}`, filled after translating."""
    return QCoreApplication.translate("", text)


def pick(th: str, en: str) -> str:
    """The Thai or English version of a text that carries both (English falls back to Thai)."""
    return en if _current == "en" and en else th


def current() -> str:
    return _current


class Languages:
    """Installs the Thai translator or removes it; Qt then sends LanguageChange to every widget."""

    def __init__(self, default: str = "th", folder: Path = TRANSLATIONS) -> None:
        self.default = default if default in LANGUAGES else "th"
        self._translator = QTranslator()
        self._loaded = self._translator.load(str(folder / "kiosk_th.qm"))
        if not self._loaded:
            log.error("Thai translation not found in %s; the kiosk will show English", folder)
        self._installed = False
        self._listeners: list[Callable[[str], None]] = []

    @property
    def current(self) -> str:
        return _current

    def on_change(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def set(self, language: str) -> None:
        global _current
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        app = QCoreApplication.instance()
        want_thai = language == "th" and self._loaded
        if app is not None and want_thai != self._installed:
            if want_thai:
                app.installTranslator(self._translator)
            else:
                app.removeTranslator(self._translator)
            self._installed = want_thai
        _current = language
        QLocale.setDefault(QLocale(QLocale.Language.Thai if language == "th" else QLocale.Language.English))
        for listener in list(self._listeners):
            listener(language)

    def toggle(self) -> None:
        self.set("en" if _current == "th" else "th")

    def reset(self) -> None:
        """Back to the office's language: the next applicant starts where everyone starts."""
        if _current != self.default:
            self.set(self.default)

    def uninstall(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeTranslator(self._translator)
        self._installed = False
