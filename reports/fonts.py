"""Finding, embedding and checking the Chinese fonts the printed documents use.

GB/T 9704-2012 asks for 仿宋 body text, a 小标宋 title, 黑体 attachment labels and 宋体 page
numbers. On Windows those faces are system files; elsewhere the nearest free TrueType faces
stand in (AR PL UMing for the Song/Fangsong roles, WenQuanYi Zen Hei for the Hei roles). The
clerk can point a role at any other file through the settings table (``font.body``,
``font.title``, ``font.heading``, ``font.song``; ``path#N`` picks face N of a collection).

Every face found is embedded as a subset, so the PDF prints the same from any viewer. Only when
no TrueType face at all can be loaded do we fall back to the viewer-supplied CID font
STSong-Light, and the caller gets a warning saying so. reportlab cannot embed PostScript-outline
(CFF) fonts such as Noto CJK; such files are rejected here with a reason, not at print time.

A character missing from a font would print as a blank, which on a roster means a wrong name.
``FontSet.runs`` sends such a character to another loaded face that has it, and
``coverage_problems`` names the characters no face has so the caller can refuse instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.sync import Setting

log = logging.getLogger(__name__)

#: The typefaces GB/T 9704-2012 names, by the role they play in a document.
ROLES: tuple[str, ...] = ("body", "title", "heading", "song")
ROLE_LABELS = {
    "body": "正文字体（仿宋）",
    "title": "标题字体（小标宋）",
    "heading": "黑体",
    "song": "页码字体（宋体）",
}
SETTING_PREFIX = "font."

#: The built-in CID font: nothing embedded, the viewer must supply it.
CID_FALLBACK = "STSong-Light"

# Lower-case file names, best first. Windows names come first because that is where the
# app runs; the free faces follow. A collection's face index follows the name.
_CANDIDATES: dict[str, tuple[tuple[str, int], ...]] = {
    "body": (
        ("simfang.ttf", 0),
        ("stfangso.ttf", 0),
        ("fzfsjw.ttf", 0),
        ("simsun.ttc", 0),
        ("uming.ttc", 0),
        ("wqy-zenhei.ttc", 0),
        ("wqy-microhei.ttc", 0),
        ("droidsansfallbackfull.ttf", 0),
    ),
    "title": (
        ("fzxbsjw.ttf", 0),
        ("方正小标宋简体.ttf", 0),
        ("stzhongs.ttf", 0),
        ("simhei.ttf", 0),
        ("simsun.ttc", 0),
        ("wqy-zenhei.ttc", 0),
        ("uming.ttc", 0),
        ("wqy-microhei.ttc", 0),
        ("droidsansfallbackfull.ttf", 0),
    ),
    "heading": (
        ("simhei.ttf", 0),
        ("fzhtjw.ttf", 0),
        ("wqy-zenhei.ttc", 0),
        ("wqy-microhei.ttc", 0),
        ("droidsansfallbackfull.ttf", 0),
        ("simsun.ttc", 0),
        ("uming.ttc", 0),
    ),
    "song": (
        ("simsun.ttc", 0),
        ("stsong.ttf", 0),
        ("uming.ttc", 0),
        ("simfang.ttf", 0),
        ("wqy-zenhei.ttc", 0),
        ("droidsansfallbackfull.ttf", 0),
    ),
}


@dataclass(frozen=True)
class FontFile:
    path: Path
    subfont: int = 0

    @classmethod
    def from_setting(cls, value: str) -> FontFile:
        """``C:\\Fonts\\x.ttc#1`` means face 1 of the collection; a plain path means face 0."""
        text = value.strip().strip('"')
        base, _, index = text.rpartition("#")
        if base and index.isdigit():
            return cls(Path(base).expanduser(), int(index))
        return cls(Path(text).expanduser(), 0)


@dataclass(frozen=True, eq=False)
class Face:
    """A font registered with reportlab under ``name``."""

    name: str
    label: str
    path: Path | None = None
    glyphs: Mapping[int, int] | None = field(default=None, repr=False)

    @property
    def embedded(self) -> bool:
        """Only a face loaded from a file is embedded; the CID font is the viewer's."""
        return self.path is not None

    def covers(self, ch: str) -> bool:
        if ch.isspace():
            return True
        if self.glyphs is not None:
            return ord(ch) in self.glyphs
        # The CID font uses the Adobe-GB1 character collection, which is GBK's repertoire;
        # its real coverage is unknowable without the viewer's font, so GBK is the promise.
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            return False
        return True


@dataclass(frozen=True, eq=False)
class FontSet:
    """The face for each role, the faces that may fill in for a character, and warnings."""

    faces: Mapping[str, Face]
    fallbacks: tuple[Face, ...] = ()
    warnings: tuple[str, ...] = ()

    def face(self, role: str) -> Face:
        return self.faces[role]

    @property
    def embedded(self) -> bool:
        return all(face.embedded for face in self.faces.values())

    def font_for(self, ch: str, role: str) -> Face | None:
        """The role's face if it has the character, else the first other face that has it."""
        primary = self.faces[role]
        if primary.covers(ch):
            return primary
        return next((f for f in self.fallbacks if f.covers(ch)), None)

    def runs(self, text: str, role: str) -> list[tuple[str, str]]:
        """Split ``text`` into (font name, segment) runs, borrowing faces for missing glyphs.

        A character no face has stays in the role's face; ``coverage_problems`` is how a
        caller finds such characters before rendering.
        """
        primary = self.faces[role]
        runs: list[tuple[str, str]] = []
        for ch in text:
            face = primary if primary.covers(ch) else (self.font_for(ch, role) or primary)
            if runs and runs[-1][0] == face.name:
                runs[-1] = (face.name, runs[-1][1] + ch)
            else:
                runs.append((face.name, ch))
        return runs

    def single_face(self, text: str, role: str) -> bool:
        """True when the role's own face has every character (the fast path for tables)."""
        primary = self.faces[role]
        return all(primary.covers(ch) for ch in text)

    def uncovered(self, text: str, role: str) -> str:
        """The distinct characters of ``text`` that no loaded face can print, in order."""
        missing: list[str] = []
        for ch in text:
            if ch not in missing and self.font_for(ch, role) is None:
                missing.append(ch)
        return "".join(missing)

    def describe(self) -> str:
        """One line naming the face used for each role, for the settings page and logs."""
        return "；".join(f"{ROLE_LABELS[r]}：{self.faces[r].label}" for r in ROLES)


def coverage_problems(fonts: FontSet, items: Iterable[tuple[str, str, str]]) -> list[str]:
    """Messages for every (where, text, role) whose text has characters no font can print."""
    problems = []
    for where, text, role in items:
        missing = fonts.uncovered(text, role)
        if missing:
            chars = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in missing)
            problems.append(
                f"{where}“{text}”中的{chars}在可用字体中都没有，打印出来会是空白；"
                "请在设置中指定包含该字的字体文件"
            )
    return problems


def default_font_dirs() -> tuple[Path, ...]:
    """Where the operating system keeps fonts (per-user folders included)."""
    if sys.platform == "win32":
        dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return tuple(dirs)
    home = Path.home()
    return (
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local" / "share" / "fonts",
        home / ".fonts",
        Path("/Library/Fonts"),
        home / "Library" / "Fonts",
    )


@cache
def _font_index(dirs: tuple[Path, ...]) -> dict[str, Path]:
    """Lower-case file name → path of every font file under ``dirs`` (first one wins)."""
    index: dict[str, Path] = {}
    for folder in dirs:
        if not folder.is_dir():
            continue
        for root, _subdirs, files in os.walk(folder):
            for name in files:
                if name.lower().endswith((".ttf", ".ttc")):
                    index.setdefault(name.lower(), Path(root) / name)
    return index


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "postscript outlines" in text:
        return "该字体为 PostScript（CFF）轮廓，只能使用 TrueType 轮廓的字体"
    if "embedding" in text or "subsetting" in text:
        return "字体许可不允许嵌入"
    if "not a recognized truetype font" in text:
        return "不是 TrueType 字体文件"
    return f"无法读取（{exc}）"


#: Faces registered so far. Only successes are kept: a font file the clerk fixes or copies
#: into place afterwards must be tried again.
_LOADED: dict[FontFile, Face] = {}


def _load(file: FontFile) -> Face | str:
    """Register a TrueType face with reportlab; a reason (Chinese) when it cannot be used."""
    if file in _LOADED:
        return _LOADED[file]
    if not file.path.is_file():
        return "文件不存在"
    digest = hashlib.sha1(str(file.path).encode("utf-8")).hexdigest()[:6]
    name = f"{file.path.stem}-{file.subfont}-{digest}"
    try:
        font = TTFont(name, str(file.path), subfontIndex=file.subfont)
    # A font file is arbitrary binary data from the user's disk; whatever the parser trips
    # over, the answer is the same: this file cannot be used, and here is why.
    except Exception as exc:
        log.info("font %s#%d rejected: %s", file.path, file.subfont, exc)
        return _reason(exc)
    pdfmetrics.registerFont(font)
    family = font.face.familyName
    family_text = family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family)
    face = Face(
        name=name,
        label=f"{family_text}（{file.path.name}）",
        path=file.path,
        glyphs=font.face.charToGlyph,
    )
    _LOADED[file] = face
    return face


@cache
def _cid_fallback() -> Face:
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return Face(name=CID_FALLBACK, label=f"{CID_FALLBACK}（PDF 内置字体，未嵌入）")


def find_fonts(
    user_fonts: Mapping[str, str] | None = None, dirs: Sequence[Path] | None = None
) -> FontSet:
    """Pick and register a face for every role.

    ``user_fonts`` maps a role to a path from the settings; ``dirs`` replaces the system's
    font folders (tests use it to simulate a machine without fonts).
    """
    user_fonts = user_fonts or {}
    index = _font_index(tuple(default_font_dirs() if dirs is None else dirs))
    warnings: list[str] = []
    faces: dict[str, Face] = {}
    loaded: list[Face] = []

    def remember(face: Face) -> None:
        if all(face.name != other.name for other in loaded):
            loaded.append(face)

    for role in ROLES:
        value = user_fonts.get(role, "").strip()
        if value:
            chosen = _load(FontFile.from_setting(value))
            if isinstance(chosen, Face):
                faces[role] = chosen
                remember(chosen)
            else:
                warnings.append(
                    f"设置中指定的{ROLE_LABELS[role]}“{value}”无法使用（{chosen}），已改用其他字体"
                )
        for filename, subfont in _CANDIDATES[role]:
            path = index.get(filename)
            if path is None:
                continue
            candidate = _load(FontFile(path, subfont))
            if isinstance(candidate, Face):
                faces.setdefault(role, candidate)
                remember(candidate)

    if not loaded:
        fallback = _cid_fallback()
        warnings.append(
            "未找到可嵌入的中文 TrueType 字体，已改用 PDF 内置字体 STSong-Light："
            "字体不嵌入文件，部分阅读器和打印机可能显示为空白或乱码，生僻字可能出错。"
            "请在设置中指定字体文件（如 C:\\Windows\\Fonts\\simfang.ttf）"
        )
        return FontSet({role: fallback for role in ROLES}, (), tuple(warnings))
    for role in ROLES:
        faces.setdefault(role, loaded[0])
    return FontSet(faces, tuple(loaded), tuple(warnings))


def font_settings(session: Session) -> dict[str, str]:
    """The font paths the clerk set, by role."""
    keys = [SETTING_PREFIX + role for role in ROLES]
    rows = session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys)))
    return {key.removeprefix(SETTING_PREFIX): value for key, value in rows}


def fonts_for(session: Session) -> FontSet:
    """The fonts for a document printed from this database (the clerk's choices first)."""
    return find_fonts(font_settings(session))
