"""Draw CertDesk's icon and write resources/icons/certdesk.png and certdesk.ico.

Run once when the design changes and commit the two files; the build only reads them. Each
size is painted on its own rather than scaled down from the largest, so the small sizes the
taskbar and Explorer show stay crisp (no seal text at 16 px, thicker lines). The .ico holds
PNG-compressed images, which every Windows that runs Python 3.11 (8.1 and later) reads, and
which keep the file a few kilobytes instead of the 260 KB of an uncompressed 256 px bitmap.

    QT_QPA_PLATFORM=offscreen python scripts/make_icon.py
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZE = 256

BLUE_TOP = QColor("#2F6FD6")
BLUE_BOTTOM = QColor("#163F8C")
PAPER = QColor("#FFFFFF")
LINE = QColor("#9DB5DE")
SEAL = QColor("#D7262E")


def paint(size: int) -> QImage:
    """The icon at ``size`` pixels: a certificate with a red seal on a blue rounded square."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)

    gradient = QLinearGradient(QPointF(0, 0), QPointF(0, s))
    gradient.setColorAt(0, BLUE_TOP)
    gradient.setColorAt(1, BLUE_BOTTOM)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(gradient))
    p.drawRoundedRect(QRectF(0, 0, s, s), s * 0.2, s * 0.2)

    paper = QRectF(s * 0.2, s * 0.16, s * 0.6, s * 0.66)
    p.setBrush(PAPER)
    p.drawRoundedRect(paper, s * 0.04, s * 0.04)

    # Text lines on the paper; fewer and thicker when small.
    rows = 2 if size < 32 else 3
    pen = QPen(LINE, max(1.0, s * 0.045))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    for i in range(rows):
        y = paper.top() + paper.height() * (0.2 + 0.17 * i)
        right = paper.right() - paper.width() * (0.18 if i < rows - 1 else 0.4)
        p.drawLine(QPointF(paper.left() + paper.width() * 0.18, y), QPointF(right, y))

    # The seal: a red disc overlapping the paper's lower right corner, with 证 when large.
    radius = s * (0.2 if size >= 32 else 0.23)
    centre = QPointF(paper.right() - radius * 0.55, paper.bottom() - radius * 0.55)
    p.setPen(QPen(PAPER, max(1.0, s * 0.025)))
    p.setBrush(SEAL)
    p.drawEllipse(centre, radius, radius)
    if size >= 32:
        font = QFont()
        font.setFamilies(["WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "Noto Sans CJK SC"])
        font.setPixelSize(round(radius * 1.15))
        path = QPainterPath()
        path.addText(QPointF(0, 0), font, "证")
        box = path.boundingRect()
        path.translate(centre - box.center())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(PAPER)
        p.drawPath(path)
    p.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: list[tuple[int, bytes]]) -> bytes:
    """An ICO container (ICONDIR + ICONDIRENTRY per image) around PNG-encoded images."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    blobs = b""
    for size, blob in images:
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    images = [(size, png_bytes(paint(size))) for size in ICO_SIZES]
    (ICON_DIR / "certdesk.ico").write_bytes(ico_bytes(images))
    (ICON_DIR / "certdesk.png").write_bytes(dict(images)[PNG_SIZE])
    for name in ("certdesk.ico", "certdesk.png"):
        print(f"{ICON_DIR / name}: {(ICON_DIR / name).stat().st_size} bytes")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
