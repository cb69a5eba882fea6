"""The locked-down kiosk sessions shipped in deploy/: what can be checked without booting them.

Nothing here starts cage or Windows (docs/lockdown.md says what was and was not tried): the systemd
unit is parsed and, where `systemd-analyze` exists, verified and scored; the install script is run
into a scratch root; the Shell Launcher v2 XML the PowerShell script builds is checked as XML.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kiosk.ui.app import STAFF_EXIT_CODE

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNIT = DEPLOY / "linux" / "counter-kiosk.service"
INSTALL = DEPLOY / "linux" / "install.sh"
PS1 = DEPLOY / "windows" / "Install-CounterKiosk.ps1"
DATA = "/var/lib/counter-kiosk"


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """systemd's syntax: sections, `Key=value`, keys that repeat (After=), `#` comments."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"key outside a section: {line}"
        key, sep, value = line.partition("=")
        assert sep, f"not a Key=value line: {line}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.fixture(scope="module")
def unit() -> dict[str, dict[str, list[str]]]:
    return parse_unit(UNIT.read_text(encoding="utf-8"))


def one(unit: dict[str, dict[str, list[str]]], section: str, key: str) -> str:
    values = unit[section].get(key, [])
    assert len(values) == 1, f"{section}.{key}: {values}"
    return values[0]


def test_the_kiosk_runs_in_cage_on_tty1_as_an_unprivileged_user(unit) -> None:  # noqa: ANN001
    argv = one(unit, "Service", "ExecStart").split()
    assert argv[0] == "/usr/bin/cage"
    cage_options = argv[1 : argv.index("--")]
    assert "-s" not in cage_options, "cage -s allows switching virtual terminals"
    assert argv[argv.index("--") + 1 :] == ["/opt/counter-kiosk/.venv/bin/kiosk", "--data-dir", DATA, "run"]
    assert "--windowed" not in argv and "--demo" not in argv, "both leave the window closable"
    assert one(unit, "Service", "User") == "kiosk" != "root"
    assert one(unit, "Service", "TTYPath") == "/dev/tty1"
    assert one(unit, "Service", "PAMName") == "counter-kiosk"
    assert "getty@tty1.service" in unit["Unit"]["Conflicts"]
    assert one(unit, "Install", "WantedBy") == "graphical.target"


def test_it_restarts_unless_staff_exited(unit) -> None:  # noqa: ANN001
    assert one(unit, "Service", "Restart") == "always"
    assert one(unit, "Service", "RestartPreventExitStatus") == str(STAFF_EXIT_CODE)
    assert one(unit, "Service", "SuccessExitStatus") == str(STAFF_EXIT_CODE)
    assert one(unit, "Unit", "StartLimitIntervalSec") == "0"


def test_hardening(unit) -> None:  # noqa: ANN001
    service = unit["Service"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "ProtectKernelTunables": "yes",
        "ProtectKernelModules": "yes",
        "ProtectControlGroups": "yes",
        "RestrictSUIDSGID": "yes",
        "LockPersonality": "yes",
        "UMask": "0077",
        "CapabilityBoundingSet": "",
    }.items():
        assert service.get(key) == [value], key
    writable = " ".join(service["ReadWritePaths"]).split()
    assert DATA in writable
    assert one(unit, "Service", "StateDirectory") == "counter-kiosk"
    assert one(unit, "Service", "StateDirectoryMode") == "0700"
    families = one(unit, "Service", "RestrictAddressFamilies").split()
    assert "AF_UNIX" in families  # pcscd, CUPS, D-Bus and Wayland are Unix sockets
    assert "AF_PACKET" not in families


def test_the_installed_files_agree_with_each_other(unit) -> None:  # noqa: ANN001
    pam = (DEPLOY / "linux" / "counter-kiosk.pam").read_text(encoding="utf-8")
    assert re.search(r"^session\s+required\s+pam_systemd\.so", pam, re.MULTILINE)
    rules = (DEPLOY / "linux" / "50-counter-kiosk-pcscd.rules").read_text(encoding="utf-8")
    assert 'subject.user == "kiosk"' in rules and "org.debian.pcsc-lite.access_card" in rules
    logind = parse_unit((DEPLOY / "linux" / "logind-counter-kiosk.conf").read_text(encoding="utf-8"))
    assert logind["Login"]["NAutoVTs"] == ["0"]
    assert "kernel.sysrq = 0" in (DEPLOY / "linux" / "sysctl-counter-kiosk.conf").read_text(encoding="utf-8")


@pytest.fixture
def runnable_unit(tmp_path: Path) -> Path:
    """The unit with programs that exist here: `verify` checks that ExecStart's binary is there."""
    text = (
        UNIT.read_text(encoding="utf-8")
        .replace("/usr/bin/cage", "/bin/true")
        .replace("/opt/counter-kiosk/.venv/bin/kiosk", "/bin/true")
    )
    path = tmp_path / UNIT.name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_unit(runnable_unit: Path) -> None:
    done = subprocess.run(
        ["systemd-analyze", "verify", str(runnable_unit)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_rates_the_exposure_ok(runnable_unit: Path) -> None:
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", str(runnable_unit)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=runnable_unit.parent,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d)", done.stdout)
    if found is None:
        pytest.skip(f"this systemd-analyze cannot rate a unit file offline: {done.stderr[:200]}")
    # 0 is a sandbox, 10 an unprotected root service; below 4 systemd calls "OK".
    assert float(found.group(1)) < 4.0, done.stdout


def test_install_script_writes_every_file_into_a_root(tmp_path: Path) -> None:
    for shell in ("sh", "bash"):
        if shutil.which(shell):
            subprocess.run([shell, "-n", str(INSTALL)], check=True)
    root = tmp_path / "root"
    done = subprocess.run(
        ["sh", str(INSTALL), "--root", str(root), "--no-packages"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (root / "etc/systemd/system/counter-kiosk.service").read_bytes() == UNIT.read_bytes()
    assert (root / "etc/pam.d/counter-kiosk").is_file()
    assert (root / "etc/polkit-1/rules.d/50-counter-kiosk-pcscd.rules").is_file()
    assert (root / "etc/systemd/logind.conf.d/counter-kiosk.conf").is_file()
    assert (root / "etc/sysctl.d/90-counter-kiosk.conf").is_file()
    assert (root / "opt/counter-kiosk/src/kiosk/cli.py").is_file()
    assert not (root / "opt/counter-kiosk/src/.venv").exists()
    assert stat.S_IMODE((root / DATA.lstrip("/")).stat().st_mode) == 0o700


# --- Windows: Shell Launcher v2 -----------------------------------------------------------------

V1 = "{http://schemas.microsoft.com/ShellLauncher/2018/Configuration}"
V2 = "{http://schemas.microsoft.com/ShellLauncher/2019/Configuration}"


def shell_launcher_xml() -> ET.Element:
    """The here-string template of the script, filled in as the script fills it."""
    text = PS1.read_text(encoding="utf-8")
    template = re.search(r"\$ShellLauncherTemplate = @'\r?\n(.*?)\r?\n'@", text, re.DOTALL)
    assert template is not None
    default_code = re.search(r"\[int\]\$StaffExitCode = (\d+)", text)
    assert default_code is not None
    filled = (
        template.group(1)
        .replace(
            "__SHELL__",
            '"C:\\CounterKiosk\\.venv\\Scripts\\pythonw.exe" -m kiosk.cli run'.replace('"', "&quot;"),
        )
        .replace("__STAFF_EXIT__", default_code.group(1))
        .replace("__SID__", "S-1-5-21-1-2-3-1001")
    )
    return ET.fromstring(filled.encode("utf-8"))  # noqa: S314 - our own file from the repository


def test_shell_launcher_restarts_the_kiosk_unless_staff_exited() -> None:
    root = shell_launcher_xml()
    assert root.tag == f"{V1}ShellLauncherConfiguration"
    profiles = root.findall(f"{V1}Profiles/{V1}Profile")
    assert len(profiles) == 1
    shell = profiles[0].find(f"{V1}Shell")
    assert shell is not None and shell.get(f"{V2}AllAppsFullScreen") == "true"
    assert "-m kiosk.cli" in shell.get("Shell", "") and shell.get("Shell", "").endswith(" run")
    actions = {a.get("ReturnCode"): a.get("Action") for a in shell.iter(f"{V1}ReturnCodeAction")}
    assert actions == {str(STAFF_EXIT_CODE): "DoNothing"}
    default = shell.find(f"{V1}DefaultAction")
    assert default is not None and default.get("Action") == "RestartShell"
    # Only the kiosk account: everyone else (administrators) keeps Explorer.
    assert root.find(f"{V1}Profiles/{V1}DefaultProfile/{V1}Shell").get("Shell").endswith("explorer.exe")  # type: ignore[union-attr]
    configs = root.findall(f"{V1}Configs/{V1}Config")
    assert len(configs) == 1 and configs[0].findtext(f"{V1}SID") == "S-1-5-21-1-2-3-1001"
    assert configs[0].find(f"{V1}Profile").get("Id") == profiles[0].get("Id")  # type: ignore[union-attr]


def test_the_powershell_script_locks_the_keys_and_keeps_administrators_out_of_the_filter() -> None:
    text = PS1.read_text(encoding="utf-8")
    for key in ("Ctrl+Alt+Del", "Alt+F4", "Alt+Tab", "Ctrl+Shift+Esc", "Windows"):
        assert f'"{key}"' in text
    assert "DisableKeyboardFilterForAdministrators" in text
    assert "Client-EmbeddedShellLauncher" in text and "Client-KeyboardFilter" in text
    assert (
        "New-ScheduledTaskAction" in text and '"NT AUTHORITY\\SYSTEM"' in text
    )  # the MDM bridge needs SYSTEM
    assert "/inheritance:r" in text  # the data directory is the kiosk account's only
