"""Virtual card profiles (resources/cards/*.toml): fictitious people laid out as the real card stores them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.devices.card import layout
from kiosk.errors import ConfigError

PROFILE_DIR = Path(__file__).resolve().parents[3] / "resources" / "cards"

# "TH NID 10" in the historical bytes, as public traces of real cards show.
ATR_NORMAL = bytes.fromhex("3B79180000544820 4E49442031 30".replace(" ", ""))
# The variant whose GET RESPONSE needs P2 = 01.
ATR_3B67 = bytes.fromhex("3B670000544820 4E494431".replace(" ", ""))
ATRS = {"normal": ATR_NORMAL, "3b67": ATR_3B67}

_TEXT_FIELDS = {f.name: f for f in (*layout.TEXT_FIELDS, layout.CARD_VERSION, layout.REQUEST_NUMBER)}
MEMORY_SIZE = layout.ADDRESS.offset + layout.ADDRESS.length


@dataclass(frozen=True)
class CardProfile:
    name: str
    description: str
    thai_id: bool
    atr: bytes
    memory: bytes

    @property
    def photo_area(self) -> bytes:
        return self.memory[layout.PHOTO.offset : layout.PHOTO.offset + layout.PHOTO.length]


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def resolve_profile_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        return path
    candidate = PROFILE_DIR / f"{name_or_path}.toml"
    if candidate.is_file():
        return candidate
    raise ConfigError(
        f"ไม่พบโปรไฟล์บัตรจำลอง {name_or_path!r}",
        f"No virtual card profile {name_or_path!r}; available: {', '.join(available_profiles())}",
    )


def load_profile(name_or_path: str) -> CardProfile:
    path = resolve_profile_path(name_or_path)
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return build_profile(path.stem, data, base_dir=path.parent)


def build_profile(name: str, data: dict[str, Any], *, base_dir: Path = PROFILE_DIR) -> CardProfile:
    atr_spec = str(data.get("atr", "normal"))
    atr = ATRS.get(atr_spec.lower()) or bytes.fromhex(atr_spec)
    memory = bytearray(b" " * MEMORY_SIZE)
    # The photo area is blank (zeros) past the JPEG; text fields are space padded.
    memory[layout.PHOTO.offset : layout.PHOTO.offset + layout.PHOTO.length] = bytes(layout.PHOTO.length)
    for key, value in data.get("fields", {}).items():
        if key == "photo":
            continue
        f = _TEXT_FIELDS.get(key)
        if f is None:
            raise ConfigError("ข้อมูลโปรไฟล์บัตรไม่ถูกต้อง", f"profile {name}: unknown field {key!r}")
        encoded = str(value).encode("tis_620")
        if len(encoded) > f.length:
            raise ConfigError("ข้อมูลโปรไฟล์บัตรไม่ถูกต้อง", f"profile {name}: {key} longer than {f.length} bytes")
        memory[f.offset : f.offset + len(encoded)] = encoded
    photo_name = data.get("fields", {}).get("photo")
    if photo_name:
        photo = (base_dir / str(photo_name)).read_bytes()
        if len(photo) > layout.PHOTO_CHUNK * layout.PHOTO_CHUNKS:
            raise ConfigError("ข้อมูลโปรไฟล์บัตรไม่ถูกต้อง", f"profile {name}: photo larger than the card holds")
        memory[layout.PHOTO.offset : layout.PHOTO.offset + len(photo)] = photo
    return CardProfile(
        name=name,
        description=str(data.get("description", "")),
        thai_id=bool(data.get("thai_id", True)),
        atr=atr,
        memory=bytes(memory),
    )
