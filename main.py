"""持证通 CertDesk launcher: early checks, then the command line or the GUI.

Kept tiny on purpose (qutebrowser's habit): nothing heavy is imported before the Python version
is checked and faulthandler is on, so even a broken install fails with a readable message.
"""

from __future__ import annotations

import sys

MIN_PYTHON = (3, 11)


def main(argv: list[str] | None = None) -> int:
    if sys.version_info < MIN_PYTHON:
        sys.stderr.write("持证通需要 Python 3.11 或更高版本。\n")
        return 1
    import faulthandler
    from contextlib import suppress

    # No real stderr: a windowed Windows build, or output captured by a host.
    with suppress(AttributeError, ValueError, OSError):
        faulthandler.enable()
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--selftest"]:
        # Before the command parser: the installed program checks itself (gui/selftest.py).
        from gui.selftest import run_selftest

        return run_selftest(args[1:])
    from cli.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
