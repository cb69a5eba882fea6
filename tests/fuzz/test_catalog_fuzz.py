"""Hostile service definitions: the shipped manifests with keys removed, added or retyped, huge and
deeply nested values, broken patterns and invalid UTF-8.

The loader answers with a `CatalogProblem` naming the file (and the key, when the file is TOML at all)
and never raises; the catalog skips only the bad file. A definition that does load can be served: its
fee can be quoted and its time limit gives a due date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import tempfile
import tomllib
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kiosk.config import RESOURCES
from kiosk.domain.catalog import Catalog, parse_definition
from kiosk.domain.fees import FeeError, quote
from kiosk.domain.services import FieldType, ServiceDefinition
from kiosk.domain.sla import WorkingCalendar, due_at
from kiosk.ui.visit import validate

SHIPPED = RESOURCES / "services"
FILES = sorted(SHIPPED.glob("*.toml"))
BASES = {p.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in FILES}
GOOD = "signboard-tax.toml"  # loaded beside every mutant: it must survive them all
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# --- a small TOML writer (tomllib only reads); inline tables keep it to one line per key ----------

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else _string(k)


def _string(s: str) -> str:
    # JSON escapes are TOML escapes, except DEL (TOML forbids it raw) and surrogates (none generated).
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007F")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v) if not isinstance(v, float) or v == v and abs(v) != float("inf") else "nan"
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return v.isoformat()
    raise TypeError(type(v))


def dump(data: dict[str, Any]) -> str:
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in data.items())


def test_the_writer_round_trips_every_shipped_definition() -> None:
    for name, data in BASES.items():
        assert tomllib.loads(dump(data)) == data, name


# --- mutations -----------------------------------------------------------------------------------

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet="ก#\x00\u202e\U0001f600 ", min_size=20_000, max_size=20_000),  # huge, hostile
    st.dates(),
)


def nested(depth: int) -> Any:
    value: Any = "x"
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


values = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
    st.integers(min_value=1, max_value=60).map(nested),
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and list index in the document, depth first."""
    found: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for k, v in items:
        found.append((*prefix, k))
        found.extend(paths(v, (*prefix, k)))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for k in path[:-1]:
        data = data[k]
    return data


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(BASES)))
    data = json.loads(json.dumps(BASES[name], default=str))  # a deep copy the mutations may wreck
    for _ in range(draw(st.integers(1, 4))):
        where = paths(data)
        action = draw(st.sampled_from(["remove", "retype", "add", "renumber"]))
        if action == "add" or not where:
            target = draw(
                st.sampled_from([(), *[p for p in where if isinstance(_parent(data, (*p, 0)), dict)]])
            )
            holder = data
            for k in target:
                holder = holder[k]
            if isinstance(holder, dict):
                key = draw(
                    st.one_of(
                        st.sampled_from(["code", "form", "fees", "value", "pattern"]), st.text(max_size=12)
                    )
                )
                holder[key] = draw(values)
            continue
        if action == "renumber":
            # Same type, any size: the values a definition loads with must still work at the counter.
            numbers = [p for p in where if type(_parent(data, p)[p[-1]]) in (int, float)]
            if numbers:
                path = draw(st.sampled_from(numbers))
                parent = _parent(data, path)
                kind = type(parent[path[-1]])
                parent[path[-1]] = draw(
                    st.integers(-(2**63), 2**63 - 1)
                    if kind is int
                    else st.floats(allow_nan=True, allow_infinity=True)
                )
            continue
        path = draw(st.sampled_from(where))
        parent = _parent(data, path)
        if action == "remove":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(values)
    if data.get("code") == "signboard-tax" or (draw(st.booleans()) and isinstance(data.get("code"), str)):
        # Never the good file's code: which of two files with one code wins is another rule (the first).
        data["code"] = "fuzzed-service"
    return name, data


def load_with_good(text: bytes) -> Catalog:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / GOOD).write_bytes((SHIPPED / GOOD).read_bytes())
        (Path(folder) / "mutant.toml").write_bytes(text)
        return Catalog.load(Path(folder))


def check_servable(service: ServiceDefinition) -> None:
    """A definition that loads must not fail later, at the counter."""
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    due_at(start, service.time_limit, WorkingCalendar(), extensions=service.time_limit.max_extensions)
    for f in service.form:
        for sample in ("", "1", "12.5", "15/04/2568", "0812345678", "x@y.zz", "ก"):
            validate(f, True if f.type is FieldType.CHECKBOX else sample)
    with contextlib.suppress(FeeError):
        quote(service.fees, {f.key: "2" for f in service.form}, {r.key: Decimal("1") for r in service.fees})


def check_catalog(catalog: Catalog) -> None:
    assert any(s.code == "signboard-tax" for s in catalog), "a bad file took a good one down"
    for problem in catalog.problems:
        assert problem.file == "mutant.toml", problem
        assert problem.reason.strip()
        assert str(problem).startswith("mutant.toml")
    loaded = [s for s in catalog if s.code != "signboard-tax"]
    event("loaded" if loaded else f"refused: {catalog.problems[0].reason[:40] if catalog.problems else '-'}")
    if not loaded:
        assert catalog.problems, "a file that did not load must say why"
    for service in loaded:
        check_servable(service)


@pytest.mark.slow
@FUZZ
@given(mutants())
def test_mutated_definitions_load_or_are_reported(mutant: tuple[str, dict[str, Any]]) -> None:
    _name, data = mutant
    catalog = load_with_good(dump(data).encode("utf-8"))
    check_catalog(catalog)
    # A TOML file that is valid but wrong names the key (model-level rules name it in the reason),
    # printably: no control character reaches a terminal or a log line.
    for p in catalog.problems:
        if p.reason in ("Extra inputs are not permitted", "Field required"):
            assert p.field and not p.field.startswith(".") and ".." not in p.field, p
        assert not any(unicodedata.category(c) == "Cc" for c in p.field), p


def test_odd_keys_are_named_visibly() -> None:
    data = json.loads(json.dumps(BASES[GOOD], default=str))
    data[""] = 1
    data["time_limit"]["\x1b[2J"] = 2
    _definition, problems = parse_definition(dump(data), GOOD)
    assert sorted(p.field for p in problems) == ['""', 'time_limit."\\u001b[2J"']


@FUZZ
@given(
    name=st.sampled_from(sorted(BASES)),
    position=st.floats(0, 1),
    junk=st.one_of(
        st.binary(min_size=1, max_size=8),
        st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf"]),
    ),
    cut=st.booleans(),
)
def test_bytes_level_damage_is_reported_with_the_file_name(
    name: str, position: float, junk: bytes, cut: bool
) -> None:
    raw = (SHIPPED / name).read_bytes().replace(b'code = "', b'code = "x', 1)
    at = int(len(raw) * position)
    damaged = raw[:at] + junk + (b"" if cut else raw[at:])
    check_catalog(load_with_good(damaged))


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        pytest.param("x = " + "[" * 2000 + "]" * 2000, "", id="deep-array"),
        pytest.param("x = " + "{a = " * 2000 + "1" + "}" * 2000, "", id="deep-inline-table"),
    ],
)
def test_deep_nesting_is_a_problem_not_a_crash(extra: str, field: str) -> None:
    definition, problems = parse_definition(
        (SHIPPED / GOOD).read_text(encoding="utf-8") + "\n" + extra, "deep.toml"
    )
    assert definition is None
    assert [p.file for p in problems] == ["deep.toml"] and problems[0].field == field
    assert "nested too deeply" in problems[0].reason


def _with_form_field(**changes: Any) -> str:
    data = json.loads(json.dumps(BASES[GOOD], default=str))
    data["form"][0].update(changes)
    return dump(data)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"pattern": "a{99999999999}"}, "pattern is not a valid regular expression"),
        ({"pattern": "(" * 3000 + ")" * 3000}, "at most 1000 characters"),
        ({"type": "number", "min_value": float("nan")}, "finite number"),
        ({"type": "number", "max_value": float("inf")}, "finite number"),
        ({"type": "number", "min_value": 10.0, "max_value": 1.0}, "min_value"),
        ({"type": "text", "min_length": 50, "max_length": 5}, "min_length"),
    ],
    ids=["huge-repeat", "deep-groups", "nan-min", "inf-max", "min-above-max", "min-length-above-max"],
)
def test_form_field_limits_that_would_fail_at_the_counter_are_refused(
    changes: dict[str, Any], reason: str
) -> None:
    definition, problems = parse_definition(_with_form_field(**changes), GOOD)
    assert definition is None
    assert problems and problems[0].field.startswith("form[1]") and reason in problems[0].reason


@pytest.mark.parametrize(
    "time_limit",
    [
        {"value": 100_000_000, "unit": "days"},
        {"value": 10**15, "unit": "minutes"},
        {"value": 5_000_000, "unit": "working_days"},
        {"value": 30, "unit": "days", "max_extensions": 1, "extension_value": 10**12},
    ],
    ids=["days", "minutes", "working-days", "extension"],
)
def test_time_limits_beyond_any_law_are_refused(time_limit: dict[str, Any]) -> None:
    data = json.loads(json.dumps(BASES[GOOD], default=str))
    data["time_limit"] = time_limit
    definition, problems = parse_definition(dump(data), GOOD)
    assert definition is None
    assert problems and problems[0].field.startswith("time_limit.")


@example(name=GOOD)
@given(name=st.sampled_from(sorted(BASES)))
@settings(max_examples=len(FILES), deadline=None)
def test_every_shipped_definition_is_servable(name: str) -> None:
    definition, problems = parse_definition((SHIPPED / name).read_text(encoding="utf-8"), name)
    assert definition is not None and not problems
    check_servable(definition)
