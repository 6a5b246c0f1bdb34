"""Read YAML into plain data plus the line and column of every key and value.

PyYAML's ``SafeLoader`` composes the node tree; ``PositionLoader`` walks it so that every
path in the document (``("procedures", "x", "states")``) maps to where it was written. The
walk refuses what policy staff never mean and a rules file must never contain: duplicate
keys, anchors/aliases (a "billion laughs" hazard), explicit tags (``!!python/object`` …),
and the YAML 1.1 surprises (``no`` read as false, ``010`` read as 8). It also looks for a
full-width colon ``：`` typed where ``:`` was meant, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from partyflow.errors import Loc, Problem, Text

_STD_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
_BOOL_OK = {"true", "false", "True", "False", "TRUE", "FALSE"}
_INT_OK = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT_OK = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
# the indentation (and list dash) before a key-like word that a full-width colon follows
_FULLWIDTH_LEAD = re.compile(r"\s*(?:-\s+)?")
# tag of the placeholder node that stands for an alias (``*name``) where it is written
_ALIAS_TAG = "tag:partyflow.invalid,2024:alias"
MAX_SOURCE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ITEMS = 100_000
"""Commas and lines together: a bound on the values, so parsing stays small and quick."""


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass
class YamlDocument:
    """Plain data read from YAML with the position of every path.

    Attributes:
        data: the document as dicts, lists and scalars.
        positions: where each path's value starts.
        key_positions: where each mapping key starts (for "unknown key" messages).
    """

    data: Any
    positions: dict[Loc, Mark] = field(default_factory=dict)
    key_positions: dict[Loc, Mark] = field(default_factory=dict)

    def mark_for(self, loc: Loc, *, key: bool = False) -> Mark:
        """The position of ``loc``, or of its nearest recorded ancestor."""
        probe = tuple(loc)
        while True:
            if key and probe in self.key_positions:
                return self.key_positions[probe]
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return Mark(1, 1)
            probe = probe[:-1]


def _mark(m: yaml.Mark | None) -> Mark:
    return Mark(m.line + 1, m.column + 1) if m is not None else Mark(0, 0)


if TYPE_CHECKING:
    _LoaderBase = yaml.SafeLoader
else:
    _LoaderBase = object


class _PositionWalker(_LoaderBase):
    """Builds plain data from the composed nodes while recording positions and problems."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file = file
        self.problems: list[Problem] = []
        self.doc = YamlDocument(data=None)
        self._seen: set[int] = set()
        # 1-based lines inside quoted or block scalars (text, where '：' is punctuation)
        self.text_lines: set[int] = set()
        # 1-based lines of plain value scalars: text too, unless what precedes a '：' could
        # be a key of the file (an identifier such as note: YAML read "B6 note： x" as text)
        self.plain_lines: set[int] = set()

    def problem(self, type_: str, loc: Loc, mark: Mark, zh: str, en: str, **ctx: Any) -> None:
        """Record one problem."""
        self.problems.append(
            Problem(type_, loc, self.file, mark.line, mark.column, Text(zh, en), dict(ctx))
        )

    def load_document(self) -> YamlDocument:
        """Compose the single document and walk it."""
        node = self.get_single_node()
        if node is not None:
            self.doc.data = self._walk(node, ())
        return self.doc

    def _alias(self, loc: Loc, mark: Mark) -> None:
        self.problem(
            "yaml_alias", loc, mark,
            "不支持 YAML 锚点/别名（& 与 *）：请直接写出内容",
            "YAML anchors/aliases (& and *) are not allowed: write the content out",
        )

    def _walk(self, node: yaml.Node, loc: Loc) -> Any:
        mark = _mark(node.start_mark)
        self.doc.positions[loc] = mark
        if node.tag == _ALIAS_TAG or id(node) in self._seen:
            self._alias(loc, mark)
            return None
        if len(loc) > MAX_DEPTH:
            self.problem(
                "yaml_too_deep", loc, mark,
                f"嵌套超过 {MAX_DEPTH} 层", f"nested deeper than {MAX_DEPTH} levels",
            )
            return None
        self._seen.add(id(node))
        if node.tag not in _STD_TAGS:
            self.problem(
                "yaml_tag", loc, mark,
                f"不允许使用 YAML 标签 {node.tag}：规则文件只能包含数据",
                f"YAML tag {node.tag} is not allowed: a rules file holds data only",
                tag=node.tag,
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._walk_mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self._walk(item, (*loc, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, loc, mark)

    def _walk_mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        first: dict[Any, Mark] = {}
        for key_node, value_node in node.value:
            kmark = _mark(key_node.start_mark)
            if key_node.tag == _ALIAS_TAG:
                self._alias(loc, kmark)
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(
                    "yaml_key", loc, kmark,
                    "键必须是简单文字", "a key must be plain text",
                )
                continue
            key = self._scalar(key_node, (*loc, str(key_node.value)), kmark, is_key=True)
            if not isinstance(key, str | int):
                key = str(key_node.value)
            if key in first:
                prev = first[key]
                self.problem(
                    "duplicate_key", (*loc, key), kmark,
                    f"重复的键 {key!s}（第 {prev.line} 行已经写过）",
                    f"duplicate key {key!s} (already given on line {prev.line})",
                    key=key, first_line=prev.line,
                )
                continue
            first[key] = kmark
            self.doc.key_positions[(*loc, key)] = kmark
            out[key] = self._walk(value_node, (*loc, key))
        return out

    def _scalar(self, node: yaml.ScalarNode, loc: Loc, mark: Mark, *,
                is_key: bool = False) -> Any:
        raw = node.value
        plain = not node.style  # None from PyYAML, '' from libyaml
        end = node.end_mark
        last = end.line if end.column > 0 else end.line - 1  # 0-based
        if node.style in ("|", ">", '"', "'"):
            self.text_lines.update(range(node.start_mark.line + 2, last + 2))
        elif not is_key:  # a plain value, also one starting on its own line or continued
            # on the next (a list item "- 村：行政村", "zh:" then "注意：…" below it)
            self.plain_lines.update(range(node.start_mark.line + 1, last + 2))
        if plain and node.tag == "tag:yaml.org,2002:bool" and raw not in _BOOL_OK:
            self.problem(
                "yaml_ambiguous_bool", loc, mark,
                f"{raw} 会被读成真/假值：请写 true 或 false；如果是文字，请加引号 \"{raw}\"",
                f"{raw} would be read as a boolean: write true or false, or quote it as text",
                raw=raw,
            )
            return raw
        if plain and node.tag == "tag:yaml.org,2002:int" and not _INT_OK.match(raw):
            self.problem(
                "yaml_ambiguous_number", loc, mark,
                f"{raw} 会被读成另一个数（八进制/十六进制/六十进制）：请写普通十进制数，或加引号",
                f"{raw} would be read as a different number (octal/hex/base 60): "
                "write a plain decimal number, or quote it",
                raw=raw,
            )
            return raw
        if plain and node.tag == "tag:yaml.org,2002:float" and not _FLOAT_OK.match(raw):
            self.problem(
                "yaml_ambiguous_number", loc, mark,
                f"{raw} 不是普通的小数：请写如 0.5 的数，或加引号",
                f"{raw} is not a plain decimal number: write e.g. 0.5, or quote it",
                raw=raw,
            )
            return raw
        try:
            return self.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            self.problem(
                "yaml_value", loc, mark,
                f"无法读取的值 {raw!r}：{exc}", f"cannot read value {raw!r}: {exc}", raw=raw,
            )
            return raw


class PositionLoader(_PositionWalker, yaml.SafeLoader):
    """The pure-Python ``SafeLoader`` with positions: exact alias positions, any input."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose as PyYAML does, but give an alias its own node at its own position.

        Only the pure-Python composer calls this; libyaml composes aliases as shared nodes,
        which the walk reports at the anchor instead."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            if event.anchor in self.anchors:  # an undefined alias is left to PyYAML's error
                self.get_event()  # type: ignore[no-untyped-call]
                return yaml.ScalarNode(_ALIAS_TAG, event.anchor, event.start_mark,
                                       event.end_mark)
        return super().compose_node(parent, index)


class FastPositionLoader(_PositionWalker, yaml.CSafeLoader):
    """The same on libyaml (config/rules.yaml: 48 ms instead of 292 ms); used for documents
    without anchors or aliases."""


# an anchor (&a) or alias (*a) token: the start of a value, then & or *, then a name character
_ANCHOR_OR_ALIAS = re.compile(r"(^|[\s\[{,:-])[&*][^\s,\[\]{}&*]", re.M)


def _fullwidth_colons(text: str, file: str) -> list[Problem]:
    problems = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        # a key-like word at the start of a line followed by a full-width colon, before any
        # ':' or '#' (found without a backtracking regex: a long line must stay linear)
        at = line.find("：")
        if at < 0 or ":" in line[:at] or "#" in line[:at]:
            continue
        head = line[:at]
        lead = _FULLWIDTH_LEAD.match(head)
        key = head[lead.end() if lead else 0:].rstrip()
        if not key or key[0] in "\"'":
            continue
        col = at + 1  # 1-based column of the full-width colon
        problems.append(
            Problem(
                "fullwidth_colon", (), file, lineno, col,
                Text(
                    f"“{key}”后面用了全角冒号“：”，应为半角冒号“:”（后面再加一个空格）",
                    f"a full-width colon '：' follows '{key}'; use the ASCII colon ':' "
                    "followed by a space",
                ),
                {"key": key},
            )
        )
    return problems


_WOULD_BE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _outside_text(problems: list[Problem], loader: _PositionWalker) -> list[Problem]:
    """The full-width-colon problems YAML's own reading confirms: not inside quoted or block
    text, and inside plain text only where a key of the file was meant (``note： x``)."""
    return [p for p in problems if p.line not in loader.text_lines and (
        p.line not in loader.plain_lines or _WOULD_BE_KEY.fullmatch(str(p.ctx.get("key", ""))))]


def _too_deep_at(text: str) -> tuple[int, int]:
    """Line and column where flow brackets first nest deeper than ``MAX_DEPTH`` (outside
    quotes and comments), or 1:1 when the depth comes from something else."""
    depth, line, start, quote = 0, 1, 0, ""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line, start = line + 1, i + 1  # a quoted scalar may span lines: keep `quote`
        elif quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#" and (i == start or text[i - 1] in " \t"):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, i - start + 1
        elif c in "]}":
            depth -= 1
        i += 1
    return 1, 1


def parse_yaml(text: str, file: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``text``; return the document (None on a syntax error) and every problem found."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        return None, [
            Problem(
                "file_too_large", (), file, 1, 1,
                Text(
                    f"文件超过 {MAX_SOURCE_BYTES // 1024 // 1024} MB",
                    f"the file is larger than {MAX_SOURCE_BYTES // 1024 // 1024} MB",
                ),
            )
        ]
    items = text.count(",") + text.count("\n")
    if items > MAX_ITEMS:  # an upper bound of the values in it, counted before parsing
        return None, [Problem(
            "file_too_complex", (), file, 1, 1,
            Text(f"文件中的项过多（逗号与行数合计 {items}，上限 {MAX_ITEMS}）：规则文件不应如此庞大",
                 f"the file holds too many items ({items} commas and lines, at most "
                 f"{MAX_ITEMS}): a rules file is never this large"), {"items": items})]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: not a character, no UTF-8 for it
        before = text[:exc.start]
        code = f"U+{ord(text[exc.start]):04X}"
        return None, [Problem(
            "yaml_syntax", (), file, before.count("\n") + 1,
            exc.start - (before.rfind("\n") + 1) + 1,
            Text(f"文件含有不成对的代理字符 {code}，它不是有效字符：请删除它",
                 f"the text contains {code}, a lone surrogate that is not a character: "
                 "delete it"), {"character": code})]
    problems = _fullwidth_colons(text, file)
    if getattr(yaml, "__with_libyaml__", False) and not _ANCHOR_OR_ALIAS.search(text):
        fast = FastPositionLoader(text, file)
        try:
            doc = fast.load_document()
        except (yaml.YAMLError, RecursionError):
            pass  # the pure-Python loader below reports it with its exact wording
        else:
            problems = _outside_text(problems, fast)
            problems.extend(fast.problems)
            return doc, problems
        finally:
            fast.dispose()
    try:
        loader = PositionLoader(text, file)  # PyYAML checks the characters here, at once
    except yaml.reader.ReaderError as exc:
        before = text[:exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
        problems.append(
            Problem(
                "yaml_syntax", (), file, line, column,
                Text(f"文件含有不允许的控制字符 {code}：请删除它",
                     f"the file contains the control character {code}, which YAML does not "
                     "allow: delete it"),
                {"detail": str(exc.reason), "character": code},
            )
        )
        return None, sorted(problems, key=lambda p: (p.line, p.column))
    try:
        doc = loader.load_document()
    except yaml.MarkedYAMLError as exc:
        m = _mark(exc.problem_mark or exc.context_mark)
        what = exc.problem or exc.context or "syntax error"
        near = {p.line for p in problems}
        if not ({m.line, m.line - 1, m.line + 1} & near):
            problems.append(
                Problem(
                    "yaml_syntax", (), file, m.line, m.column,
                    Text(f"YAML 格式错误：{what}（常见原因：缩进不齐、缺少冒号后的空格）",
                         f"YAML syntax error: {what}"),
                    {"detail": what},
                )
            )
        return None, problems
    except yaml.YAMLError as exc:
        problems.append(
            Problem("yaml_syntax", (), file, 1, 1, Text(f"YAML 格式错误：{exc}",
                                                        f"YAML syntax error: {exc}"))
        )
        return None, problems
    except RecursionError:
        line, column = _too_deep_at(text)
        problems.append(
            Problem("yaml_too_deep", (), file, line, column,
                    Text(f"嵌套层数过多（超过 {MAX_DEPTH} 层）",
                         f"nested too deeply (more than {MAX_DEPTH} levels)"))
        )
        return None, problems
    finally:
        loader.dispose()
    # the file parsed: a full-width colon inside quoted or block text is punctuation
    problems = _outside_text(problems, loader)
    problems.extend(loader.problems)
    return doc, problems
