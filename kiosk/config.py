"""Office configuration: a typed TOML file in the data directory, every value with a default.

The defaults are the embedded demo office, so a kiosk with no file runs. A bad value is refused
with the file, the key and the reason; the kiosk does not start on a half-understood file.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
    verify_tls: bool = True

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and not v.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// on loopback)")
        return v.rstrip("/")


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


class Config(_Section):
    office: Office = Office()
    kiosk: Kiosk = Kiosk()
    server: Server = Server()
    printers: Printers = Printers()
    calendar: Calendar = Calendar()
    privacy: Privacy = Privacy()
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
