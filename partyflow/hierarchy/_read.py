"""Read an organization list (CSV or YAML) into rows, collecting every reading problem."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from partyflow.errors import Problem, Text
from partyflow.files import FileProblem, read_text_file
from partyflow.rules.problems import ProblemList
from partyflow.rules.source import parse_yaml

REQUIRED = ("id", "name", "level", "parent", "secretary")
CORE = frozenset(REQUIRED)
# column names policy staff write in Chinese spreadsheets
ALIASES = {
    "编号": "id", "组织编号": "id", "名称": "name", "组织名称": "name", "层级": "level",
    "上级": "parent", "上级组织": "parent", "书记": "secretary", "网格长": "leader",
    "网格员": "workers",
}

MAX_LIST_BYTES = 256 * 1024 * 1024
"""An organization list larger than this is refused while reading (before parsing)."""


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cycle collector while building: records are acyclic dicts and strings, and
    at 600,000 records its repeated full passes more than double the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Table:
    """An organization list as columns (one entry per record, in file order).

    ``nodes[i]`` is record i's attribute dict (name, level, secretary, line and every other
    column); it becomes the ``networkx`` node's attribute dict as is. ``columns`` and
    ``marks`` (YAML only) locate each record and each field; CSV records have column 0.
    ``extras`` names the other columns when every record has the same (CSV), else None.
    """

    __slots__ = ("columns", "extras", "ids", "levels", "lines", "marks", "names", "nodes",
                 "parents", "secretaries")

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.names: list[str] = []
        self.levels: list[str] = []
        self.parents: list[str] = []
        self.secretaries: list[str] = []
        self.lines: list[int] = []
        self.nodes: list[dict[str, Any]] = []
        self.columns: list[int] | None = None
        self.marks: list[dict[str, tuple[int, int]]] | None = None
        self.extras: frozenset[str] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def append(self, id: str, name: str, level: str, parent: str, secretary: str, line: int,
               extras: dict[str, Any]) -> None:
        """Add one record (the slow path; CSV reading inlines this)."""
        self.ids.append(id)
        self.names.append(name)
        self.levels.append(level)
        self.parents.append(parent)
        self.secretaries.append(secretary)
        self.lines.append(line)
        self.nodes.append({**extras, "name": name, "level": level, "secretary": secretary,
                           "line": line})


def read_file(path: str | Path) -> tuple[Table, list[Problem]]:
    """Rows and reading problems of a ``.csv`` (anything not .yaml/.yml) or YAML file."""
    file = str(path)
    p = Path(path)
    try:
        text = read_text_file(p, MAX_LIST_BYTES)
    except FileProblem as exc:
        return Table(), [Problem(exc.type, (), file, exc.line, exc.column, exc.text)]
    if p.suffix.lower() in (".yaml", ".yml"):
        return read_yaml_text(text, file)
    return read_csv_text(text, file)


def _problem(file: str, line: int, column: int, type_: str, zh: str, en: str,
             **ctx: Any) -> Problem:
    return Problem(type_, (), file, line, column, Text(zh, en), dict(ctx))


def read_csv_text(text: str, file: str = "<csv>") -> tuple[Table, list[Problem]]:
    """Records of CSV text (first row: the header). Lines are where each record starts."""
    text = text.removeprefix("\ufeff")
    problems = ProblemList()  # the first 1,000, the rest counted
    table = Table()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        cells = next(reader, None)
    except csv.Error as exc:
        problems.append(_problem(file, 1, 0, "csv_syntax", f"CSV 格式错误：{exc}",
                                 f"malformed CSV: {exc}"))
        return table, problems
    if cells is None:
        problems.append(_problem(file, 1, 0, "csv_header", "文件为空：第一行应为表头",
                                 "the file is empty: the first row must be the header"))
        return table, problems
    header = [ALIASES.get(c.strip(), c.strip().lower()) for c in cells]
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            problems.append(_problem(file, 1, 0, "csv_header", f"第 {i + 1} 列没有列名",
                                     f"column {i + 1} has no name"))
        elif name in index:
            problems.append(_problem(file, 1, 0, "csv_header", f"列名 “{name}” 重复",
                                     f"column '{name}' appears twice"))
        else:
            index[name] = i
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        problems.append(_problem(
            file, 1, 0, "csv_header",
            f"缺少必需的列：{', '.join(missing)}（至少需要 {','.join(REQUIRED)}）",
            f"missing required column(s): {', '.join(missing)} (at least {','.join(REQUIRED)})",
            missing=missing))
        return table, problems
    extras = [(n, i) for n, i in index.items() if n not in CORE]
    table.extras = frozenset(n for n, _ in extras)
    width = len(header)
    i_id, i_name, i_level = index["id"], index["name"], index["level"]
    i_parent, i_sec = index["parent"], index["secretary"]
    ids, names, levels = table.ids, table.names, table.levels
    parents, secretaries, lines, nodes = table.parents, table.secretaries, table.lines, table.nodes
    last = reader.line_num
    try:
        for cells in reader:
            line = last + 1
            last = reader.line_num
            if len(cells) != width:
                if not "".join(cells).strip():
                    continue
                if len(cells) > width and "".join(cells[width:]).strip():
                    problems.append(_problem(
                        file, line, 0, "csv_row_length",
                        f"此行有 {len(cells)} 个值，表头只有 {width} 列",
                        f"this row has {len(cells)} values but the header has {width} columns"))
                cells = cells + [""] * (width - len(cells))
            org = cells[i_id].strip()
            if not org and not "".join(cells).strip():
                continue
            name = cells[i_name].strip()
            level = cells[i_level].strip()
            secretary = cells[i_sec].strip()
            ids.append(org)
            names.append(name)
            levels.append(level)
            parents.append(cells[i_parent].strip())
            secretaries.append(secretary)
            lines.append(line)
            node: dict[str, Any] = {n: cells[i].strip() for n, i in extras} if extras else {}
            node["name"] = name
            node["level"] = level
            node["secretary"] = secretary
            node["line"] = line
            nodes.append(node)
    except csv.Error as exc:
        problems.append(_problem(file, last + 1, 0, "csv_syntax", f"CSV 格式错误：{exc}",
                                 f"malformed CSV: {exc}"))
    return table, problems


def _scalar(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float | dt.date):
        return str(value)
    return None


def read_yaml_text(text: str, file: str = "<yaml>") -> tuple[Table, list[Problem]]:
    """Rows of a YAML list of organization mappings."""
    table = Table()
    table.columns = []
    table.marks = []
    doc, problems = parse_yaml(text, file)
    if doc is None:
        return table, problems
    data = doc.data
    if not isinstance(data, list):
        m = doc.mark_for(())
        problems.append(_problem(file, m.line, m.column, "document_type",
                                 "文件内容应为组织列表（每项以 - id: 开头）",
                                 "the file must be a list of organizations (each item - id: …)"))
        return table, problems
    for i, item in enumerate(data):
        m = doc.mark_for((i,))
        if not isinstance(item, dict):
            problems.append(_problem(file, m.line, m.column, "record_type",
                                     "每项应为键值映射（id、name、level、parent、secretary）",
                                     "each item must be a mapping (id, name, level, parent, secretary)"))
            continue
        marks: dict[str, tuple[int, int]] = {}
        core: dict[str, str] = {}
        attrs: dict[str, Any] = {}
        bad = False
        for key, value in item.items():
            name = ALIASES.get(str(key).strip(), str(key).strip().lower())
            km = doc.mark_for((i, key))
            marks[name] = (km.line, km.column)
            if name in CORE:
                s = _scalar(value)
                if s is None:
                    problems.append(_problem(file, km.line, km.column, "yaml_value",
                                             f"“{name}” 应为单个值", f"'{name}' must be a single value"))
                    bad = True
                    continue
                core[name] = s
            else:
                attrs[name] = value
        if bad:
            continue
        missing = [c for c in ("id", "level") if not core.get(c)]
        if missing:
            problems.append(_problem(file, m.line, m.column, "missing_field",
                                     f"缺少：{', '.join(missing)}", f"missing: {', '.join(missing)}"))
            continue
        table.append(core["id"], core.get("name", ""), core["level"], core.get("parent", ""),
                     core.get("secretary", ""), m.line, attrs)
        table.columns.append(m.column)
        table.marks.append(marks)
    return table, problems
