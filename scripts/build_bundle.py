"""Build CertDesk's one-folder bundle, prove it runs, and (on Windows) wrap it in an installer.

    python scripts/build_bundle.py [--max-mb N] [--installer]

1. PyInstaller builds ``dist/CertDesk/`` from installer.spec (a Windows bundle on Windows, a
   Linux one on Linux: PyInstaller does not cross-build).
2. The frozen program runs its own self-test (``CertDesk --selftest``) offscreen; a failed
   check fails the build, so a bundle that cannot open a database, print a PDF or open its
   window is never shipped.
3. The bundle's size is printed, and checked against ``--max-mb`` when given, so a dependency
   that drags in a large library is noticed in CI rather than on a USB stick.
4. ``--installer`` (Windows, Inno Setup 6.3 or later) compiles installer/certdesk.iss into
   ``dist/CertDesk-Setup-<version>.exe``.

Needs the ``build`` extra: ``pip install -e .[build]``.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / "CertDesk"
ISS = ROOT / "installer" / "certdesk.iss"
SELFTEST_TIMEOUT_S = 300
MB = 1024 * 1024


class BuildFailed(Exception):
    pass


@dataclass(frozen=True)
class Size:
    bytes: int
    files: int

    @property
    def mb(self) -> float:
        return self.bytes / MB


def version() -> str:
    text = (ROOT / "core" / "version.py").read_text(encoding="utf-8")
    match = re.search(r'VERSION = "([^"]+)"', text)
    if match is None:
        raise BuildFailed("core/version.py has no VERSION")
    return match.group(1)


def executable(bundle: Path) -> Path:
    return bundle / ("CertDesk.exe" if sys.platform == "win32" else "CertDesk")


def run_pyinstaller() -> float:
    try:
        import PyInstaller  # noqa: F401
    except ImportError as exc:
        raise BuildFailed("PyInstaller is not installed: pip install -e .[build]") from exc
    started = time.perf_counter()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(DIST), "--workpath", str(WORK), str(ROOT / "installer.spec")]
    if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
        raise BuildFailed("PyInstaller failed (its messages are above)")
    return time.perf_counter() - started


def run_selftest(bundle: Path) -> list[str]:
    """Run the frozen self-test; its lines, or BuildFailed with them."""
    program = executable(bundle)
    if not program.is_file():
        raise BuildFailed(f"{program} was not built")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory(prefix="certdesk-build-") as folder:
        # The lines come back through a file: a windowed Windows program has no console.
        report = Path(folder) / "selftest.txt"
        try:
            done = subprocess.run(
                [str(program), "--selftest", str(report)],
                env=env,
                capture_output=True,
                timeout=SELFTEST_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BuildFailed(f"the self-test did not finish in {SELFTEST_TIMEOUT_S} s") from exc
        lines = report.read_text(encoding="utf-8").splitlines() if report.exists() else []
    if done.returncode != 0 or not lines or any(not line.startswith("OK ") for line in lines):
        output = "\n".join(lines) or done.stdout.decode("utf-8", "replace")
        stderr = done.stderr.decode("utf-8", "replace").strip()
        raise BuildFailed(
            f"the bundle's self-test failed (exit status {done.returncode}):\n{output}\n{stderr}"
        )
    return lines


def measure(folder: Path) -> Size:
    files = [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]
    return Size(sum(path.stat().st_size for path in files), len(files))


def find_iscc() -> Path:
    found = shutil.which("iscc")
    if found:
        return Path(found)
    for variable in ("ProgramFiles(x86)", "ProgramFiles"):
        folder = os.environ.get(variable)
        if folder:
            for candidate in sorted(Path(folder).glob("Inno Setup */ISCC.exe"), reverse=True):
                return candidate
    raise BuildFailed("Inno Setup (ISCC.exe) not found: choco install innosetup")


def build_installer(app_version: str) -> Path:
    """Compile installer/certdesk.iss; it finds the bundle, icon and output folder itself."""
    if sys.platform != "win32":
        raise BuildFailed("the installer is built on Windows (Inno Setup)")
    command = [str(find_iscc()), f"/DAppVersion={app_version}", str(ISS)]
    if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
        raise BuildFailed("Inno Setup failed (its messages are above)")
    setup = DIST / f"CertDesk-Setup-{app_version}.exe"
    if not setup.is_file():
        raise BuildFailed(f"Inno Setup did not write {setup}")
    return setup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=float, help="fail when the bundle is larger than this")
    parser.add_argument("--installer", action="store_true", help="also compile the installer")
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        # A Windows console's code page may lack Chinese; the self-test's lines must not crash.
        sys.stdout.reconfigure(errors="replace")
    app_version = version()
    try:
        build_seconds = run_pyinstaller()
        print(f"built {BUNDLE.relative_to(ROOT)} ({app_version}) in {build_seconds:.0f} s")
        started = time.perf_counter()
        lines = run_selftest(BUNDLE)
        print("\n".join(lines))
        print(f"self-test passed in {time.perf_counter() - started:.1f} s")
        size = measure(BUNDLE)
        print(f"bundle size: {size.mb:.1f} MB in {size.files} files")
        if args.max_mb is not None and size.mb > args.max_mb:
            raise BuildFailed(f"the bundle is {size.mb:.1f} MB, over the {args.max_mb:g} MB limit")
        if args.installer:
            setup = build_installer(app_version)
            print(f"installer: {setup.relative_to(ROOT)} ({setup.stat().st_size / MB:.1f} MB)")
    except BuildFailed as exc:
        print(f"build_bundle: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
