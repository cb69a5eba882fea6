"""Errors that reach people, kept apart from bugs.

A `KnownError` is the environment or the input, not the program: no reader, a card that is not a Thai
ID card, a bad configuration value. It carries the message an applicant or staff member reads, in
Thai and English, and the exit code the CLI returns. Anything else is a bug: logged with its
traceback, shown as a calm generic message.
"""

from __future__ import annotations


class KnownError(Exception):
    exit_code = 1

    def __init__(self, message_th: str, message_en: str, *, detail: str = "") -> None:
        super().__init__(message_en)
        self.message_th = message_th
        self.message_en = message_en
        self.detail = detail  # for the log only; never personal data

    def __str__(self) -> str:
        return f"{self.message_th} / {self.message_en}"


class ConfigError(KnownError):
    exit_code = 2


class NotFoundError(KnownError):
    """A case, service or record that was asked for by name does not exist."""
