from pathlib import Path

import pytest

from kiosk.config import Config, load_config
from kiosk.errors import ConfigError


def test_no_file_means_the_embedded_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.office.biller_id == "099400016550100"
    assert config.kiosk.id == "K01" and config.server.verify_tls


def test_values_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text(
        'catalog_dir = "services"\n[office]\nname_th = "เทศบาลตำบลตัวอย่าง"\n[kiosk]\nid = "K07"\n[calendar]\nholidays = [2026-12-31]\n'
        '[server]\nurl = "https://central.example/"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.office.name_th == "เทศบาลตำบลตัวอย่าง" and config.kiosk.id == "K07"
    assert str(config.calendar.holidays[0]) == "2026-12-31"
    assert config.server.url == "https://central.example"
    assert config.catalog_dir == (tmp_path / "services").resolve()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[office]\ntax_id = "0994000165502"\n', "office.tax_id"),
        ('[kiosk]\nid = "kiosk one"\n', "kiosk.id"),
        ('[server]\nurl = "ftp://x"\n', "server.url"),
        ("[privacy]\nretention_days = -1\n", "privacy.retention_days"),
        ('[office]\nnmae_th = "x"\n', "office.nmae_th"),
    ],
)
def test_a_bad_value_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    (tmp_path / "kiosk.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert key in info.value.message_en and key in info.value.message_th


def test_broken_toml_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text("[office\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Cannot read"):
        load_config(tmp_path)
