"""Office configuration: a typed TOML file in the data directory, every value with a default.

The defaults are the embedded demo office, so a kiosk with no file runs. A bad value is refused
with the file, the key and the reason; the kiosk does not start on a half-understood file.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kiosk.domain.thai import is_valid_citizen_id
from kiosk.errors import ConfigError

CONFIG_FILE = "kiosk.toml"
RESOURCES = Path(os.environ.get("KIOSK_RESOURCES", Path(__file__).resolve().parent.parent / "resources"))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Office(_Section):
    name_th: str = Field(default="องค์การบริหารส่วนตำบลบางแก้วฟ้า", min_length=1, description="Office name")
    name_en: str = Field(default="Bang Kaeo Fa Subdistrict Administrative Organization", min_length=1)
    address_th: str = Field(
        default="หมู่ที่ ๔ ตำบลบางแก้วฟ้า อำเภอนครชัยศรี จังหวัดนครปฐม ๗๓๑๒๐", description="Printed on documents"
    )
    province_th: str = "นครปฐม"
    phone: str = "034-277050"
    tax_id: str = Field(
        default="0994000165501", description="Agency tax ID: first 13 digits of the biller ID"
    )
    bill_payment_suffix: str = Field(
        default="00", pattern=r"^\d{2}$", description="2-digit account suffix of the biller ID (00 = first)"
    )
    bank_name_th: str = "ธนาคารกรุงไทย"
    bank_company_code: str = Field(
        default="6225", pattern=r"^[0-9A-Z]{1,10}$", description="Bill Payment Company Code given by the bank"
    )

    @field_validator("tax_id")
    @classmethod
    def _tax_id(cls, v: str) -> str:
        if not is_valid_citizen_id(v):
            raise ValueError("must be 13 digits with a valid check digit")
        return v

    @property
    def biller_id(self) -> str:
        return self.tax_id + self.bill_payment_suffix


class Kiosk(_Section):
    id: str = Field(
        default="K01",
        pattern=r"^[A-Z][A-Z0-9]{1,3}$",
        description="Short kiosk code, unique in the office: it prefixes every case number",
    )
    language: Literal["th", "en"] = "th"
    idle_timeout_seconds: int = Field(default=90, ge=15, le=900)


class Server(_Section):
    url: str = Field(default="", description="Central server URL; empty = work alone")
    verify_tls: bool = Field(
        default=True, description="Check the server's TLS certificate (turn off only to diagnose)"
    )
    ca_file: Path | None = Field(
        default=None,
        description="PEM bundle of the office's own CA: the server's certificate is checked against it "
        "instead of the public CAs (absolute path)",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip()
        if not v:
            return v
        parts = urlsplit(v)
        if parts.scheme == "https" and parts.hostname:
            return v.rstrip("/")
        if parts.scheme == "http" and _loopback(parts.hostname or ""):
            return v.rstrip("/")
        if parts.scheme == "http":
            # load_config shows this reason as is (its Thai line names only the key): both languages.
            raise ValueError(
                "http:// sends personal data unencrypted: use https://, http:// only for this machine "
                "(127.0.0.1, localhost) / ใช้ https:// เท่านั้น http:// ใช้ได้เฉพาะเครื่องนี้"
            )
        raise ValueError("must be an https:// address / ต้องขึ้นต้นด้วย https://")

    @field_validator("ca_file")
    @classmethod
    def _ca_file(cls, v: Path | None) -> Path | None:
        if v is None:
            return v
        if not v.is_absolute():
            raise ValueError("must be an absolute path / ต้องเป็นที่อยู่ไฟล์แบบเต็ม")
        if not v.is_file():
            raise ValueError(f"no such file: {v} / ไม่พบไฟล์")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Server:
        if self.ca_file is not None and not self.verify_tls:
            raise ValueError("ca_file needs verify_tls = true / ca_file ใช้ได้เมื่อ verify_tls = true")
        return self


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Printers(_Section):
    ticket: str = Field(default="", description="Queue ticket printer; empty = the system default")
    documents: str = Field(default="", description="A4 printer for receipts, notices and slips")


class Calendar(_Section):
    national_holidays: bool = Field(default=True, description="Count Thailand's public holidays")
    holidays: tuple[dt.date, ...] = Field(default=(), description="Extra office holidays (Cabinet days)")


class Privacy(_Section):
    retention_days: int = Field(
        default=7, ge=0, le=365, description="Days personal data stays after the server confirms a case"
    )


class Staff(_Section):
    """Staff sign-in at the kiosk: see docs/staff.md."""

    sign_out_minutes: int = Field(
        default=5, ge=1, le=120, description="Staff mode closes after this many minutes without a staff touch"
    )
    counter_sign_out_minutes: int = Field(
        default=30,
        ge=1,
        le=480,
        description="An officer's counter window signs out after this many idle minutes (never mid-service)",
    )
    max_failures: int = Field(default=5, ge=3, le=20, description="Wrong PINs in a row that lock an account")
    lockout_minutes: int = Field(
        default=15, ge=1, le=1440, description="How long a locked account stays locked"
    )


class QueueGroup(_Section):
    prefix: str = Field(pattern=r"^[A-Z]$", description="Letter before the ticket number")
    name_th: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    categories: tuple[str, ...] = Field(default=(), description="Service categories this group serves")
    services: tuple[str, ...] = Field(default=(), description="Service codes, overriding their category")
    service_minutes: float = Field(
        default=10.0, gt=0, le=240, description="Assumed service time until the day has its own figures"
    )


class QueueCounter(_Section):
    id: str = Field(pattern=r"^[0-9A-Z]{1,4}$", description="Counter number, as called out and shown")
    name_th: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    groups: tuple[str, ...] = Field(min_length=1, description="Group prefixes this counter serves")


def _default_groups() -> tuple[QueueGroup, ...]:
    return (
        QueueGroup(
            prefix="A",
            name_th="ขออนุญาตและแจ้งเรื่อง",
            name_en="Permits and notifications",
            categories=("permit", "notification"),
            service_minutes=12,
        ),
        QueueGroup(
            prefix="B",
            name_th="ภาษีและค่าธรรมเนียม",
            name_en="Taxes and fees",
            categories=("tax",),
            service_minutes=8,
        ),
        QueueGroup(
            prefix="C",
            name_th="สวัสดิการและทะเบียน",
            name_en="Welfare and registration",
            categories=("welfare", "registration"),
            service_minutes=10,
        ),
    )


def _default_counters() -> tuple[QueueCounter, ...]:
    return tuple(
        QueueCounter(id=str(n), name_th=f"ช่องบริการ {n}", name_en=f"Counter {n}", groups=groups)
        for n, groups in ((1, ("A", "B", "C")), (2, ("B", "A", "C")), (3, ("C", "A", "B")))
    )


class Queue(_Section):
    """The office queue: see docs/queue.md for the numbering scheme and the calling rule."""

    kiosks: int = Field(
        default=1, ge=1, le=9, description="How many ticket-issuing kiosks the office has (number stride)"
    )
    slot: int = Field(
        default=0, ge=0, le=9, description="This kiosk's place among them, 1..kiosks; 0 = from the kiosk id"
    )
    priority_every: int = Field(
        default=2,
        ge=1,
        le=20,
        description="A waiting priority ticket is called after at most this many others",
    )
    grace_calls: int = Field(
        default=3,
        ge=0,
        le=50,
        description="A missed ticket is called again after this many other calls in its group "
        "(sooner when its counter has nobody else to call)",
    )
    average_of: int = Field(
        default=10, ge=1, le=200, description="Recent services averaged for the waiting estimate"
    )
    elderly_age: int = Field(
        default=60, ge=50, le=80, description="Age from the card that makes a priority ticket"
    )
    groups: tuple[QueueGroup, ...] = Field(default_factory=_default_groups, min_length=1)
    counters: tuple[QueueCounter, ...] = Field(default_factory=_default_counters, min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Queue:
        prefixes = [g.prefix for g in self.groups]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError("two groups share a prefix")
        ids = [c.id for c in self.counters]
        if len(set(ids)) != len(ids):
            raise ValueError("two counters share an id")
        for c in self.counters:
            unknown = set(c.groups) - set(prefixes)
            if unknown:
                raise ValueError(f"counter {c.id} serves unknown groups {sorted(unknown)}")
        if self.slot > self.kiosks:
            raise ValueError("slot must be between 1 and kiosks")
        return self


class Config(_Section):
    office: Office = Office()
    kiosk: Kiosk = Kiosk()
    server: Server = Server()
    printers: Printers = Printers()
    calendar: Calendar = Calendar()
    privacy: Privacy = Privacy()
    staff: Staff = Staff()
    queue: Queue = Queue()
    catalog_dir: Path = Field(default=RESOURCES / "services", description="Folder of service definitions")


def default_data_dir() -> Path:
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("counter-kiosk", appauthor=False))


def load_config(data_dir: Path) -> Config:
    path = data_dir / CONFIG_FILE
    if not path.exists():
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"อ่านไฟล์ตั้งค่า {path} ไม่ได้", f"Cannot read the configuration file {path}: {exc}"
        ) from exc
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        reason = first["msg"].removeprefix("Value error, ")
        raise ConfigError(
            f"ค่าในไฟล์ตั้งค่าไม่ถูกต้อง: {path.name}: {key}",
            f"{path}: {key}: {reason}"
            + (f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""),
        ) from exc
    if not config.catalog_dir.is_absolute():
        config = config.model_copy(update={"catalog_dir": (data_dir / config.catalog_dir).resolve()})
    return config
