"""The schema's verdict as problems: pydantic's errors → problems with positions, and what of
a procedure can still be checked when parts of it are broken."""

from __future__ import annotations

import copy
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from partyflow.errors import Loc, Problem, Text
from partyflow.rules import schema as s
from partyflow.rules.problems import problem_at, suggest
from partyflow.rules.source import YamlDocument


@dataclass
class Pruned:
    """A procedure with its schema-broken entries removed, and what was removed.

    Attributes:
        data: the procedure's mapping without the broken entries.
        t_index: for each remaining transition, its index in the file.
        broken_names: names of removed states, parameters and inputs (``*partial*`` when
            transitions or graph keys were removed), so checks do not report them again.
    """

    data: dict[str, Any]
    t_index: list[int]
    broken_names: set[str]


_SECTIONS = ("states", "parameters", "inputs", "transitions")


def prune(raw: Any, errors: list[tuple[Loc, str]]) -> Pruned | None:
    """Drop the entries that failed the schema; None when the procedure itself is broken.

    An unknown key is removed on its own, so the rest of its entry is still checked.
    """
    if not isinstance(raw, dict):
        return None
    raw = copy.deepcopy(raw)
    drop: dict[str, set[Any]] = {sec: set() for sec in _SECTIONS}
    partial = False
    for loc, kind in errors:
        if kind == "extra_forbidden" and loc:
            parent: Any = raw
            for part in loc[:-1]:
                parent = parent[part]
            parent.pop(loc[-1], None)
            # a misspelt key (termnal, source) may carry what graph checks rely on
            partial = partial or (len(loc) > 2 and loc[0] in ("states", "transitions"))
            continue
        if len(loc) >= 2 and loc[0] in _SECTIONS:
            drop[str(loc[0])].add(loc[1])
        else:
            return None
    data = dict(raw)
    broken: set[str] = set()
    for sec in ("states", "parameters", "inputs"):
        if drop[sec] and isinstance(data.get(sec), dict):
            data[sec] = {k: v for k, v in data[sec].items() if k not in drop[sec]}
            broken |= {str(k) for k in drop[sec]}
    t_index = list(range(len(data.get("transitions") or [])))
    if drop["transitions"] and isinstance(data.get("transitions"), list):
        t_index = [i for i in t_index if i not in drop["transitions"]]
        data["transitions"] = [data["transitions"][i] for i in t_index]
    if drop["transitions"] or partial:
        broken.add("*partial*")
    return Pruned(data, t_index, broken)


_PYD_ZH = {
    "string_type": "应为文字",
    "int_type": "应为整数",
    "float_type": "应为数字",
    "bool_type": "应为 true 或 false",
    "dict_type": "应为键值映射（下一级缩进的 键: 值）",
    "model_type": "应为键值映射（下一级缩进的 键: 值）",
    "model_attributes_type": "应为键值映射（下一级缩进的 键: 值）",
    "list_type": "应为列表（每项以 - 开头）",
    "date_type": "应为日期，如 2024-01-31",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "too_short": "至少需要一项",
    "greater_than_equal": "数值太小",
}
_IDENT_ZH = "名称只能用小写英文字母、数字和下划线，并以字母开头（如 out_review）"
_IDENT_EN = "names use lowercase ASCII letters, digits and underscores, starting with a letter"


def _unwrap(ann: Any) -> Any:
    """The type under ``Annotated``; for a label, the model of its ``{zh, en}`` mapping."""
    while typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    return s.LabelFields if ann is Text else ann


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that the mapping at ``loc`` is validated against."""
    ann: Any = root
    for part in loc:
        ann = _unwrap(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            info = ann.model_fields.get(str(part))
            if info is None:
                return None
            ann = info.annotation
            continue
        origin = typing.get_origin(ann)
        if origin in (dict, list):
            ann = typing.get_args(ann)[-1]
            continue
        if origin in (typing.Union, types.UnionType):
            for arg in typing.get_args(ann):
                arg = _unwrap(arg)
                if typing.get_origin(arg) in (dict, list) or (
                    isinstance(arg, type) and issubclass(arg, BaseModel)
                ):
                    ann = arg
                    break
            else:
                return None
            ann = typing.get_args(ann)[-1] if typing.get_origin(ann) in (dict, list) else ann
            continue
        return None
    ann = _unwrap(ann)
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def schema_problems(doc: YamlDocument, file: str, exc: ValidationError,
                    reported: set[Loc], root: type[BaseModel] = s.RulesFile) -> list[Problem]:
    """One problem per place the schema refused, skipping places already in ``reported``.

    Pydantic's errors at one place (the members of a union) become one problem naming every
    accepted form; the place is the deepest part of the error's path present in the file.
    """
    out: list[Problem] = []
    grouped: dict[Loc, list[Any]] = {}
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        path: list[str | int] = []
        key_error = False
        data: Any = doc.data
        for part in loc:
            if part == "[key]":
                key_error = True
                break
            if isinstance(data, dict) and part in data:
                data = data[part]
                path.append(part)
            elif isinstance(data, list) and isinstance(part, int) and part < len(data):
                data = data[part]
                path.append(part)
            elif err["type"] in ("missing", "extra_forbidden") and part == loc[-1]:
                path.append(part)
            else:
                break  # a union member tag such as 'str' or 'list[str]'
        entry: dict[str, Any] = dict(err)
        entry["key_error"] = key_error
        grouped.setdefault(tuple(path), []).append(entry)
    for loc, errs in grouped.items():
        if loc not in reported:
            out.append(_one_place(doc, file, root, loc, errs))
    return out


def _one_place(doc: YamlDocument, file: str, root: type[BaseModel], loc: Loc,
               errs: list[Any]) -> Problem:
    def add(type_: str, loc: Loc, zh: str, en: str, *, key: bool = False,
            **ctx: Any) -> Problem:
        return problem_at(doc, file, type_, loc, zh, en, key=key, **ctx)

    err = errs[0]
    kind = err["type"]
    actual = err.get("input")
    shown = repr(actual) if isinstance(actual, str | int | float | bool) else ""
    got_zh = f"（实际为 {shown}）" if shown else ""
    got_en = f" (got {shown})" if shown else ""
    if err["key_error"]:
        name = loc[-1] if loc else "?"
        return add("invalid_name", loc, f"名称 “{name}” 不合规：{_IDENT_ZH}",
                   f"name '{name}' is invalid: {_IDENT_EN}", key=True, name=name)
    if kind == "extra_forbidden":
        name = str(loc[-1])
        model = _model_at(root, loc[:-1])
        fields = list(model.model_fields) if model else []
        szh, sen = suggest(name, fields)
        allowed = "、".join(fields)
        return add("unknown_key", loc, f"未知的键 “{name}”{szh}（可用的键：{allowed}）",
                   f"unknown key '{name}'{sen} (allowed: {', '.join(fields)})",
                   key=True, key_name=name, suggestion=(szh and sen))
    if kind == "missing":
        name = str(loc[-1])
        return add("missing_key", loc[:-1], f"缺少必填的键 “{name}”",
                   f"missing required key '{name}'", key=True, key_name=name)
    if kind == "string_pattern_mismatch":
        return add("invalid_name", loc, f"{_IDENT_ZH}{got_zh}", f"{_IDENT_EN}{got_en}")
    if kind in ("parameter_value", "duration_format", "ratio_format", "period_invalid",
                "time_zone"):
        zh = {
            "parameter_value": f"取值 {shown} 与声明的类型 {err['ctx'].get('kind')} 不符",
            "duration_format": f"{shown} 不是期限，应写成 P30D、P3M、PT12H 或 P5WD（工作日）这样的形式",
            "ratio_format": f"{shown} 不是比例，应写成带引号的 \"4/5\" 这样的形式",
            "period_invalid": str(err.get("ctx", {}).get("zh", "")),
            "time_zone": f"{shown} 不是时区名称，应写成 Asia/Shanghai 这样的形式",
        }[kind]
        return add(kind, loc, zh, err["msg"], **err.get("ctx", {}))
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return add("invalid_choice", loc, f"应为以下之一：{expected}{got_zh}",
                   f"must be one of: {expected}{got_en}", expected=expected)
    if len(errs) > 1:  # a union: say every accepted form
        zh = "，或".join(dict.fromkeys(_PYD_ZH.get(e["type"], e["msg"]) for e in errs))
        en = " or ".join(dict.fromkeys(e["msg"] for e in errs))
        return add("wrong_type", loc, f"{zh}{got_zh}", f"{en}{got_en}")
    zh = _PYD_ZH.get(kind, f"取值无效：{err['msg']}")
    hint_zh = hint_en = ""
    if kind == "string_type" and isinstance(actual, bool | int | float):
        hint_zh = "；若要写文字，请加引号，如 \"1.10\" 或 \"no\""
        hint_en = "; to write text, quote it, e.g. \"1.10\" or \"no\""
    return add("wrong_type" if kind.endswith("_type") else kind, loc,
                   f"{zh}{got_zh}{hint_zh}", f"{err['msg']}{got_en}{hint_en}")
