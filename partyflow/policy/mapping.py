"""The migration map (迁移映射): which old state becomes which new state, per procedure.

Read from YAML with the position of every entry, so a problem — a field the format does not
have, a procedure or state the rules do not have — is a ``RulesError`` naming its line.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from partyflow.errors import Loc, Problem, RulesError, Text
from partyflow.files import FileProblem, read_text_file
from partyflow.rules.compare import state_map
from partyflow.rules.definitions import ProcedureDef, RuleSet
from partyflow.rules.source import MAX_SOURCE_BYTES, YamlDocument, parse_yaml


class _ProcedureMap(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    states: dict[str, str] = {}
    keep_same_names: bool = True


class _MapFile(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    procedures: dict[str, _ProcedureMap]


_FORMAT_ZH = {
    "extra_forbidden": "映射文件中没有这一项（每个流程下可写 states、keep_same_names）",
    "missing": "缺少这一项（映射文件以 procedures: 开头）",
    "dict_type": "应为键值映射（下一级缩进的 键: 值）",
    "model_type": "应为键值映射（下一级缩进的 键: 值）",
    "string_type": "应为状态名（文字）",
    "bool_type": "应为 true 或 false",
}
"""The map format's problems in Chinese, by pydantic error type (English: pydantic's own)."""


@dataclass(frozen=True)
class MigrationMap:
    """Which old state becomes which new state, per procedure.

    A state not listed keeps its id when ``keep_same_names`` (the default) and the new
    version still has it, or follows a ``renamed_from`` declared in the new rules; any other
    state has no mapping and its instances are refused.

    Attributes:
        procedures: procedure id → {old state: new state}.
        keep_same_names: procedure id → whether unlisted states map by themselves.
        content_hash: SHA-256 of the map file's text (recorded with each migration).
        file: where the map was read from, for problems.
        marks: (line, column) of each entry's key ``("procedures", p)`` /
            ``("procedures", p, "states", old)``, for problems.
    """

    procedures: Mapping[str, Mapping[str, str]]
    keep_same_names: Mapping[str, bool]
    content_hash: str
    file: str = "<map>"
    marks: Mapping[Loc, tuple[int, int]] = field(default_factory=dict, compare=False,
                                                  repr=False)

    def target(self, procedure: str, state: str, old: ProcedureDef,
               new: ProcedureDef) -> str | None:
        """The new state an instance of ``procedure`` in ``state`` moves to, or None."""
        explicit = self.procedures.get(procedure, {})
        if state in explicit:
            return explicit[state]
        if not self.keep_same_names.get(procedure, True):
            return None
        return state_map(old, new).get(state)

    def problems(self, new: RuleSet, old: Iterable[ProcedureDef] = ()) -> list[Problem]:
        """What in the map does not fit the rules: a procedure ``new`` does not have, a target
        state its procedure does not have, an old state that none of ``old`` (the definitions
        the instances to move run under) has. Old states are checked only for procedures
        with definitions in ``old``."""
        olds: dict[str, list[ProcedureDef]] = {}
        for definition in old:
            olds.setdefault(definition.name, []).append(definition)
        found: list[Problem] = []
        for name in dict.fromkeys([*self.procedures, *self.keep_same_names]):
            where: Loc = ("procedures", name)
            proc = new.procedures.get(name)
            if proc is None:
                hint = _hint(name, new.procedures)
                found.append(self._problem("unknown_procedure", where, Text(
                    f"新规则中没有流程 “{name}”{hint.zh}",
                    f"the new rules have no procedure '{name}'{hint.en}")))
                continue
            before = {s for p in olds.get(name, ()) for s in p.states}
            for source, target in self.procedures.get(name, {}).items():
                at: Loc = (*where, "states", source)
                if before and source not in before:
                    hint = _hint(source, before)
                    found.append(self._problem("unknown_state", at, Text(
                        f"流程 {name} 的在办实例所依据的规则中没有状态 “{source}”{hint.zh}",
                        f"no rules version the running {name} instances use has a state "
                        f"'{source}'{hint.en}")))
                if target not in proc.states:
                    hint = _hint(target, proc.states)
                    found.append(self._problem("unknown_state", at, Text(
                        f"映射的目标状态 “{target}” 不在新规则的流程 {name} 中{hint.zh}",
                        f"the mapped state '{target}' is not in the new {name}{hint.en}")))
        return found

    def check(self, new: RuleSet, old: Iterable[ProcedureDef] = ()) -> None:
        """Raise ``RulesError`` listing every problem of ``problems``, if any."""
        found = self.problems(new, old)
        if found:
            raise RulesError(found)

    def _problem(self, type_: str, loc: Loc, text: Text) -> Problem:
        line, column = self.marks.get(loc, (0, 0))
        return Problem(type_, loc, self.file, line, column, text, {})


def _hint(word: str, choices: Iterable[str]) -> Text:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        return Text("", "")
    return Text(f"；你是不是想写 “{close[0]}”？", f"; did you mean '{close[0]}'?")


def load_migration_map(path: str | Path) -> MigrationMap:
    """Read a migration map (YAML); raise ``RulesError`` listing every problem with its line.

    Format::

        procedures:
          member_transfer:
            states: {receipt_overdue: receipt_late}   # old → new
            keep_same_names: true                      # default: same ids map to themselves

    Whether its procedures and states exist is checked against the rules by ``migrate``
    (``MigrationMap.check``).
    """
    file = str(path)
    try:
        text = read_text_file(path, MAX_SOURCE_BYTES)
    except FileProblem as exc:
        raise RulesError([Problem(exc.type, (), file, exc.line, exc.column, exc.text)]
                         ) from None
    doc, problems = parse_yaml(text, file)
    if doc is None or problems:
        raise RulesError(problems or [Problem("document_type", (), file, 1, 1, Text(
            "迁移映射文件为空", "the migration map is empty"), {})])
    try:
        model = _MapFile.model_validate(doc.data)
    except ValidationError as exc:
        found = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            mark = doc.mark_for(loc, key=err["type"] == "extra_forbidden")
            found.append(Problem(err["type"], loc, file, mark.line, mark.column, Text(
                _FORMAT_ZH.get(err["type"], f"取值无效：{err['msg']}"), err["msg"]), {}))
        raise RulesError(found) from None
    return MigrationMap(
        {k: dict(v.states) for k, v in model.procedures.items()},
        {k: v.keep_same_names for k, v in model.procedures.items()},
        hashlib.sha256(text.encode()).hexdigest(), file, _marks(doc, model))


def _marks(doc: YamlDocument, model: _MapFile) -> dict[Loc, tuple[int, int]]:
    locs: list[Loc] = []
    for name, proc in model.procedures.items():
        locs.append(("procedures", name))
        locs += [("procedures", name, "states", state) for state in proc.states]
    return {loc: (m.line, m.column) for loc in locs for m in [doc.mark_for(loc, key=True)]}
