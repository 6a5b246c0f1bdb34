"""Reading a file a person edited (rules, organization list, migration map, calendar): the size
limit enforced while reading, before anything is parsed, and an encoding other than UTF-8 named
where it can be guessed (GBK / GB18030, what Excel and older Chinese Windows save)."""

from __future__ import annotations

from pathlib import Path

from partyflow.errors import Text


class FileProblem(Exception):
    """Why a file could not be read as text: its type slug, where, and what to do."""

    def __init__(self, type_: str, line: int, column: int, text: Text) -> None:
        super().__init__(str(text))
        self.type, self.line, self.column, self.text = type_, line, column, text


def read_text_file(path: str | Path, max_bytes: int) -> str:
    """The file's text (UTF-8, with or without BOM), at most ``max_bytes`` read.

    Raises:
        FileProblem: ``file_unreadable``, ``file_too_large`` (found while reading: a device
            or a huge file is never loaded whole) or ``file_encoding`` (with the line and
            column of the first byte that is not UTF-8, and GBK named when it decodes as GBK).
    """
    try:
        with Path(path).open("rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as exc:
        raise FileProblem("file_unreadable", 0, 0, Text(
            f"无法读取文件：{exc.strerror or exc}", f"cannot read the file: {exc.strerror or exc}")
        ) from None
    if len(raw) > max_bytes:
        mb = max_bytes / 1024 / 1024
        raise FileProblem("file_too_large", 0, 0, Text(
            f"文件超过 {mb:g} MB，未读取", f"the file is larger than {mb:g} MB; it was not read"))
    return decode_text(raw)


def decode_text(raw: bytes) -> str:
    """``raw`` as UTF-8 text (a BOM dropped); ``FileProblem`` naming the place and, when it
    reads as GB18030 instead, the encoding to save it from."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
    line = raw.count(b"\n", 0, start) + 1
    column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
    try:
        raw.decode("gb18030")
        guessed = True
    except UnicodeDecodeError:
        guessed = False
    if guessed:
        zh = (f"文件看起来是 GBK/GB18030 编码（第 {line} 行第 {column} 列起不是 UTF-8）："
              "请用“另存为”选择 UTF-8（Excel 中为“CSV UTF-8”）")
        en = (f"the file looks GBK/GB18030-encoded (not UTF-8 from line {line}, column "
              f"{column}): save it as UTF-8 (in Excel, \"CSV UTF-8\")")
    else:
        zh = f"文件不是 UTF-8 编码（第 {line} 行第 {column} 列，第 {start} 字节）：请另存为 UTF-8"
        en = f"the file is not UTF-8 (line {line}, column {column}, byte {start}): save it as UTF-8"
    raise FileProblem("file_encoding", line, column, Text(zh, en))
