; 持证通 CertDesk installer, for Inno Setup 6.3 or later. Compiled by
;   python scripts/build_bundle.py --installer
; which runs ISCC /DAppVersion=<core/version.py> installer\certdesk.iss after building and
; self-testing dist\CertDesk. This file is UTF-8 with a byte order mark: Inno Setup reads a
; script without one in the system's ANSI code page and would garble the Chinese text.
;
; - Per user: no administrator rights (school PCs often have none); installs into
;   %LOCALAPPDATA%\Programs\CertDesk, with a Start menu shortcut and, if ticked, a desktop one.
; - Upgrade in place: the AppId below never changes, so a newer installer finds the old copy,
;   closes a running CertDesk and replaces its program files. The database is upgraded by the
;   program itself at its next start, after it has saved a backup (models/migrate.py).
; - The data folder %LOCALAPPDATA%\CertDesk (database, backups, keys, packages) is written
;   only by the program, never by this installer; uninstalling removes the program files and
;   shortcuts and leaves the data folder as it is, without asking.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z (scripts/build_bundle.py does)
#endif
#define Root AddBackslash(SourcePath) + ".."
#ifndef SourceDir
  #define SourceDir Root + "\dist\CertDesk"
#endif
#ifndef OutputDir
  #define OutputDir Root + "\dist"
#endif
#define AppExe "CertDesk.exe"
#if !FileExists(SourceDir + "\" + AppExe)
  #error The bundle is missing: run python scripts/build_bundle.py first
#endif
; The four-part number Windows shows, from the version resource PyInstaller wrote.
#define NumericVersion GetVersionNumbersString(SourceDir + "\" + AppExe)
#define ChineseMessages "Languages\ChineseSimplified.isl"

[Setup]
AppId={{3B0A781A-C081-48C2-9BA2-8D76D620FC6E}
AppName=持证通 CertDesk
AppVersion={#AppVersion}
AppVerName=持证通 CertDesk {#AppVersion}
AppPublisher=持证通 CertDesk
VersionInfoVersion={#NumericVersion}
VersionInfoProductTextVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={autopf}\CertDesk
DefaultGroupName=持证通
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
CloseApplications=yes
RestartApplications=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Windows 8.1, the oldest Windows that Python 3.11 runs on.
MinVersion=6.3
OutputDir={#OutputDir}
OutputBaseFilename=CertDesk-Setup-{#AppVersion}
SetupIconFile={#Root}\resources\icons\certdesk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName=持证通 CertDesk
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no

[Languages]
#if FileExists(AddBackslash(CompilerPath) + ChineseMessages)
Name: "chs"; MessagesFile: "compiler:{#ChineseMessages}"
#else
  #pragma message "ChineseSimplified.isl is not in this Inno Setup: the wizard's own texts stay English"
Name: "chs"; MessagesFile: "compiler:Default.isl"
#endif

[CustomMessages]
chs.DesktopIcon=在桌面上创建快捷方式
chs.ShortcutGroup=快捷方式：
chs.StartAfterInstall=安装完成后启动持证通
chs.UninstallShortcut=卸载持证通

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:ShortcutGroup}"

[InstallDelete]
; The previous version's libraries and Qt plugins: a stale plugin left beside newer Qt files
; can stop the program from starting. Only program files live here; data never does.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\持证通"; Filename: "{app}\{#AppExe}"; Comment: "持证通 CertDesk"
Name: "{autoprograms}\{cm:UninstallShortcut}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\持证通"; Filename: "{app}\{#AppExe}"; Comment: "持证通 CertDesk"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:StartAfterInstall}"; Flags: nowait postinstall skipifsilent
