"""The service catalog: every definition file in a folder, validated one by one.

A malformed file never takes the others down: it is reported with its file, field and reason, and
the catalog holds every definition that loaded. `kiosk catalog check` fails when any problem exists;
the running kiosk skips the bad file and tells staff.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from kiosk.domain.services import Category, ServiceDefinition

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatalogProblem:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.reason}"


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


def _quoted(key: str) -> str:
    text = json.dumps(key, ensure_ascii=False)
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cc" else c for c in text)


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item + 1}]")
        elif item in {"fixed", "per_unit", "percent", "staff_amount", "assessed"}:
            continue  # pydantic's discriminator tag adds nothing for the reader
        else:
            # A key that is empty, huge or holds control characters is quoted and cut as TOML would
            # write it, so the report names it visibly and cannot garble the terminal or the log.
            key = item if _BARE_KEY.match(item) else _quoted(item[:60])
            parts.append(("." if parts else "") + key)
    return "".join(parts)


TOO_DEEP = "nested too deeply to be a service definition"


def parse_definition(text: str, file: str) -> tuple[ServiceDefinition | None, list[CatalogProblem]]:
    # tomllib parses arrays and inline tables recursively: thousands of `[` exhaust the stack.
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [CatalogProblem(file, "", f"not valid TOML: {exc}")]
    except RecursionError:
        return None, [CatalogProblem(file, "", TOO_DEEP)]
    try:
        return ServiceDefinition.model_validate(data), []
    except RecursionError:
        return None, [CatalogProblem(file, "", TOO_DEEP)]
    except ValidationError as exc:
        problems = [
            CatalogProblem(file, _location(tuple(err["loc"])), err["msg"].removeprefix("Value error, "))
            for err in exc.errors()
        ]
        return None, problems


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@dataclass(frozen=True)
class Catalog:
    services: tuple[ServiceDefinition, ...]
    problems: tuple[CatalogProblem, ...] = ()

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        services: list[ServiceDefinition] = []
        problems: list[CatalogProblem] = []
        seen: dict[str, str] = {}
        if not folder.is_dir():
            return cls((), (CatalogProblem(str(folder), "", "the catalog folder does not exist"),))
        for path in sorted(folder.glob("*.toml")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(CatalogProblem(path.name, "", f"cannot be read: {exc}"))
                continue
            try:
                definition, found = parse_definition(text, path.name)
            except Exception as exc:  # one file, however broken, never stops the kiosk serving the others
                log.exception("service definition %s could not be checked", path.name)
                definition, found = (
                    None,
                    [CatalogProblem(path.name, "", f"could not be checked ({exc!r:.200})")],
                )
            problems.extend(found)
            if definition is None:
                continue
            if definition.code in seen:
                problems.append(
                    CatalogProblem(
                        path.name, "code", f"{definition.code!r} is already used by {seen[definition.code]}"
                    )
                )
                continue
            seen[definition.code] = path.name
            services.append(definition)
        return cls(tuple(services), tuple(problems))

    def __iter__(self) -> Iterator[ServiceDefinition]:
        return iter(self.services)

    def __len__(self) -> int:
        return len(self.services)

    def get(self, code: str) -> ServiceDefinition | None:
        return next((s for s in self.services if s.code == code), None)

    def by_category(self, category: Category) -> tuple[ServiceDefinition, ...]:
        return tuple(s for s in self.services if s.category is category)

    def search(self, query: str) -> tuple[ServiceDefinition, ...]:
        """Services whose names, code or keywords contain every word of the query (Thai or English)."""
        words = _fold(query).split()
        if not words:
            return self.services

        def haystack(s: ServiceDefinition) -> str:
            return _fold(" ".join((s.code, s.name_th, s.name_en, s.short_name_th, *s.keywords)))

        return tuple(s for s in self.services if all(w in haystack(s) for w in words))
