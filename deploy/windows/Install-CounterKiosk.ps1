<#
.SYNOPSIS
    Lock a Windows 10/11 Enterprise, Education or IoT Enterprise PC down to Counter Kiosk with
    Shell Launcher v2: a dedicated local account whose shell is the kiosk, restarted when it ends.

.DESCRIPTION
    Run once, elevated, on the kiosk PC after Counter Kiosk is installed (a venv in -InstallDir):

        powershell -ExecutionPolicy Bypass -File Install-CounterKiosk.ps1

    1. Enables the optional features Shell Launcher (Client-EmbeddedShellLauncher) and Keyboard
       Filter (Client-KeyboardFilter); a restart may be needed, then run the script again.
    2. Creates the local standard account -KioskUser (no administrator rights, password never
       expires) and gives it alone (with SYSTEM and Administrators) the data directory -DataDir.
    3. Keyboard Filter: for every account but administrators, Ctrl+Alt+Del, Alt+F4, Alt+Tab,
       Ctrl+Esc, Ctrl+Shift+Esc, the Windows key combinations and Alt+Space do nothing.
    4. Shell Launcher v2: -KioskUser gets the kiosk (pythonw -m kiosk.cli run) as its shell instead of
       Explorer. When the kiosk ends it is started again, except after staff chose Exit kiosk (exit
       code 10, kiosk.ui.app.STAFF_EXIT_CODE): then nothing runs and an administrator signs in
       (breakout key, docs/lockdown.md). Every other account keeps Explorer.
       The configuration goes through the MDM Bridge WMI provider, which only SYSTEM may use: the
       script runs that step as a one-time scheduled task under SYSTEM.
    5. Optionally (-AutoLogonPassword) signs the kiosk account in automatically at boot, with the
       password kept as an LSA secret by Sysinternals Autologon when it is in the PATH.

    -Remove undoes steps 3 and 4 (the account and the data stay).
    Not tested on Windows by the project's test suite: see docs/lockdown.md.
#>
[CmdletBinding()]
param(
    [string]$KioskUser = "CounterKiosk",
    [string]$InstallDir = "C:\CounterKiosk",
    [string]$DataDir = "C:\ProgramData\CounterKiosk",
    [int]$StaffExitCode = 10,
    [securestring]$AutoLogonPassword,
    [switch]$Remove,
    # Internal: the step that runs as SYSTEM.
    [string]$ApplyShellLauncherXml
)

Set-StrictMode -Version Latest
$ErrorActionPreference = "Stop"

$MdmNamespace = "root\cimv2\mdm\dmmap"
$EmbeddedNamespace = "root\standardcimv2\embedded"
# Shell Launcher v2 (the 2019 namespace): AllAppsFullScreen and return-code actions.
$ShellLauncherTemplate = @'
<?xml version="1.0" encoding="utf-8"?>
<ShellLauncherConfiguration
    xmlns="http://schemas.microsoft.com/ShellLauncher/2018/Configuration"
    xmlns:V2="http://schemas.microsoft.com/ShellLauncher/2019/Configuration">
  <Profiles>
    <DefaultProfile>
      <Shell Shell="%SystemRoot%\explorer.exe" />
    </DefaultProfile>
    <Profile Id="{5c8ad1c2-6d9e-4a57-9f9b-2f4c6b7a1e10}">
      <Shell Shell="__SHELL__" V2:AllAppsFullScreen="true">
        <ReturnCodeActions>
          <ReturnCodeAction ReturnCode="__STAFF_EXIT__" Action="DoNothing" />
        </ReturnCodeActions>
        <DefaultAction Action="RestartShell" />
      </Shell>
    </Profile>
  </Profiles>
  <Configs>
    <Config>
      <SID>__SID__</SID>
      <Profile Id="{5c8ad1c2-6d9e-4a57-9f9b-2f4c6b7a1e10}" />
    </Config>
  </Configs>
</ShellLauncherConfiguration>
'@
$BlockedKeys = @(
    "Ctrl+Alt+Del", "Alt+F4", "Alt+Tab", "Ctrl+Esc", "Ctrl+Shift+Esc", "Alt+Esc", "Alt+Space",
    "Windows", "Win+L", "Win+R", "Win+E", "Win+D", "Win+Tab", "Win+X", "Win+I", "Win+M"
)

function Test-System {
    ([Security.Principal.WindowsIdentity]::GetCurrent()).IsSystem
}

function Set-ShellLauncher([string]$Xml) {
    # MDM_AssignedAccess.ShellLauncher takes the XML HTML-encoded; an empty string removes it.
    $instance = Get-CimInstance -Namespace $MdmNamespace -ClassName MDM_AssignedAccess
    $instance.ShellLauncher = if ($Xml) { [System.Net.WebUtility]::HtmlEncode($Xml) } else { "" }
    Set-CimInstance -CimInstance $instance
}

function Invoke-AsSystem([string]$Xml) {
    # A one-time task under SYSTEM runs this script's -ApplyShellLauncherXml step and is removed.
    $file = Join-Path $env:ProgramData "CounterKiosk-shell-launcher.xml"
    Set-Content -Path $file -Value $Xml -Encoding UTF8
    $name = "CounterKiosk-ShellLauncher"
    $arguments = "-NoProfile -ExecutionPolicy Bypass -File `"$PSCommandPath`" -ApplyShellLauncherXml `"$file`""
    $action = New-ScheduledTaskAction -Execute "powershell.exe" -Argument $arguments
    Register-ScheduledTask -TaskName $name -Action $action -User "NT AUTHORITY\SYSTEM" -RunLevel Highest -Force | Out-Null
    try {
        Start-ScheduledTask -TaskName $name
        do { Start-Sleep -Seconds 1 } while ((Get-ScheduledTask -TaskName $name).State -eq "Running")
        $result = (Get-ScheduledTaskInfo -TaskName $name).LastTaskResult
        if ($result -ne 0) { throw "applying the Shell Launcher configuration as SYSTEM failed ($result)" }
    } finally {
        Unregister-ScheduledTask -TaskName $name -Confirm:$false
        Remove-Item -Path $file -Force -ErrorAction SilentlyContinue
    }
}

function Set-KeyboardFilter([bool]$Enabled) {
    $settings = Get-CimInstance -Namespace $EmbeddedNamespace -ClassName WEKF_Settings
    foreach ($setting in $settings) {
        if ($setting.Name -eq "DisableKeyboardFilterForAdministrators") {
            $setting.Value = "true"
            Set-CimInstance -CimInstance $setting
        }
    }
    foreach ($key in $BlockedKeys) {
        $predefined = Get-CimInstance -Namespace $EmbeddedNamespace -ClassName WEKF_PredefinedKey |
            Where-Object { $_.Id -eq $key }
        if ($null -eq $predefined) { Write-Warning "Keyboard Filter does not know $key"; continue }
        $predefined.Enabled = $Enabled
        Set-CimInstance -CimInstance $predefined
    }
}

# --- the SYSTEM step ----------------------------------------------------------------------------
if ($ApplyShellLauncherXml) {
    if (-not (Test-System)) { throw "-ApplyShellLauncherXml is the step that runs as SYSTEM" }
    Set-ShellLauncher -Xml (Get-Content -Path $ApplyShellLauncherXml -Raw)
    exit 0
}

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw "Run this script from an elevated PowerShell (Run as administrator)."
}

if ($Remove) {
    Set-KeyboardFilter -Enabled $false
    if (Test-System) { Set-ShellLauncher -Xml "" } else { Invoke-AsSystem -Xml "" }
    Write-Host "Shell Launcher and Keyboard Filter rules removed; $KioskUser and $DataDir are kept."
    exit 0
}

# 1. Features
$restart = $false
foreach ($feature in "Client-EmbeddedShellLauncher", "Client-KeyboardFilter") {
    $state = Get-WindowsOptionalFeature -Online -FeatureName $feature
    if ($null -eq $state) { throw "$feature is not available: Windows Enterprise, Education or IoT Enterprise is needed." }
    if ($state.State -ne "Enabled") {
        $result = Enable-WindowsOptionalFeature -Online -FeatureName $feature -All -NoRestart
        $restart = $restart -or $result.RestartNeeded
    }
}
if ($restart) {
    Write-Warning "Restart Windows, then run this script again to finish."
    exit 3010
}

# 2. The account and its data directory
$user = Get-LocalUser -Name $KioskUser -ErrorAction SilentlyContinue
if ($null -eq $user) {
    $password = if ($AutoLogonPassword) { $AutoLogonPassword } else {
        Read-Host -AsSecureString "Password for the new local account $KioskUser"
    }
    $user = New-LocalUser -Name $KioskUser -Password $password -FullName "Counter Kiosk" `
        -Description "Runs the Counter Kiosk screen (Shell Launcher)" -PasswordNeverExpires -UserMayNotChangePassword
    # A new local account is a member of Users only: no administrator rights.
}
$sid = $user.SID.Value
New-Item -ItemType Directory -Force -Path $DataDir | Out-Null
# Only the kiosk account, SYSTEM and Administrators: the database and keys hold personal data.
& icacls.exe $DataDir /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*${sid}:(OI)(CI)M" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls failed on $DataDir" }

# 3. Keys that would leave the kiosk
Set-KeyboardFilter -Enabled $true

# 4. The kiosk as the account's shell
$pythonw = Join-Path $InstallDir ".venv\Scripts\pythonw.exe"
if (-not (Test-Path $pythonw)) { throw "$pythonw not found: install Counter Kiosk in $InstallDir first." }
$shell = "`"$pythonw`" -m kiosk.cli --data-dir `"$DataDir`" run"
$xml = $ShellLauncherTemplate.Replace("__SHELL__", [System.Security.SecurityElement]::Escape($shell)).
    Replace("__STAFF_EXIT__", [string]$StaffExitCode).Replace("__SID__", $sid)
[xml]$xml | Out-Null  # well-formed before it goes anywhere
if (Test-System) { Set-ShellLauncher -Xml $xml } else { Invoke-AsSystem -Xml $xml }

# 5. Automatic sign-in of the kiosk account
if ($AutoLogonPassword) {
    $autologon = Get-Command autologon.exe, autologon64.exe -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -ne $autologon) {
        $plain = [Runtime.InteropServices.Marshal]::PtrToStringUni(
            [Runtime.InteropServices.Marshal]::SecureStringToBSTR($AutoLogonPassword))
        & $autologon.Source $KioskUser $env:COMPUTERNAME $plain /accepteula | Out-Null
    } else {
        Write-Warning "Sysinternals Autologon not found: set the automatic sign-in of $KioskUser yourself."
    }
}

Write-Host "Done. Sign in as $KioskUser (or restart with automatic sign-in): the kiosk is its shell."
Write-Host "Staff close it with Call staff > sign in > Exit kiosk; an administrator then uses the breakout key."
