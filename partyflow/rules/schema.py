"""The rules file format, as pydantic v2 models (the single source of the JSON Schema).

Models are strict (no silent coercion: ``"3"`` is not 3, ``no`` is not a string) and forbid
unknown keys, so a misspelt key is an error rather than an ignored line.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetPydanticSchema,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from partyflow.errors import Text
from partyflow.limits import MAX_RULES_VERSION
from partyflow.rules.durations import Duration, period_problem
from partyflow.rules.ratios import ratio_terms

IDENT_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
Identifier = Annotated[str, StringConstraints(pattern=IDENT_PATTERN)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=2000)]

ParameterType = Literal["int", "float", "bool", "str", "duration", "ratio", "date"]
InputType = Literal["int", "float", "bool", "str", "date", "duration", "enum", "list", "org"]
ItemType = Literal["int", "float", "bool", "str", "date", "duration"]


def _f(zh: str, en: str, **kw: Any) -> Any:
    """A field whose title and description carry both languages."""
    return Field(title=f"{zh} / {en}", description=f"{zh}。{en}.", **kw)


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class _Written:
    """Models of what the file writes where the code holds another type (named as in the
    JSON Schema and in messages)."""

    class Label(_Model):
        """A display text in Chinese and English. 中英文名称。"""

        zh: NonEmpty = _f("中文", "Chinese text")
        en: NonEmpty = _f("英文", "English text")


LabelFields = _Written.Label
"""The ``{zh, en}`` mapping a :data:`Label` is read from."""


def _label_schema(source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    """Validate ``{zh, en}`` (or a ``Text``) into ``Text``; dump it back as ``{zh, en}``."""

    def to_text(value: Any, validate: core_schema.ValidatorFunctionWrapHandler) -> Text:
        if isinstance(value, Text):
            value = {"zh": value.zh, "en": value.en}
        fields = validate(value)
        return Text(fields.zh, fields.en)

    return core_schema.no_info_wrap_validator_function(
        to_text,
        handler.generate_schema(LabelFields),
        serialization=core_schema.plain_serializer_function_ser_schema(
            lambda text: {"zh": text.zh, "en": text.en}),
    )


Label = Annotated[Text, GetPydanticSchema(_label_schema)]
"""A display text in Chinese and English, read straight into ``partyflow.errors.Text``.

The file writes ``{zh: …, en: …}`` (checked as :class:`LabelFields`); code may pass a ``Text``.
``Label(zh=…, en=…)`` builds a ``Text``.
"""


class Parameter(_Model):
    """A named policy value with its legal basis. 参数：有依据的政策数值。"""

    type: ParameterType = _f(
        "类型", "Type: int, float, bool, str, duration (ISO-8601, e.g. P30D), "
        "ratio (e.g. \"4/5\") or date"
    )
    value: int | float | bool | str | dt.date = _f("取值", "Value, of the declared type")
    basis: NonEmpty = _f("依据（规则编号，如 B2）", "Basis: the rule id it implements, e.g. B2")
    label: Label = _f("名称", "Label")
    note: str | None = _f("备注", "Note, e.g. the documented alternative value", default=None)
    reference_only: bool = _f(
        "仅供查阅（没有条件或期限读取它，由调用系统使用）：不再提示“未被使用”",
        "Kept for reference (read by the calling system, not by a condition or deadline): "
        "no 'unused' warning", default=False)

    @field_validator("value")
    @classmethod
    def _value_fits_type(cls, v: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("type")
        if kind is None:
            return v
        ok = {
            "int": isinstance(v, int) and not isinstance(v, bool) and -(2**63) <= v < 2**63,
            "float": isinstance(v, int | float) and not isinstance(v, bool),
            "bool": isinstance(v, bool),
            "str": isinstance(v, str),
            "date": isinstance(v, dt.date) and not isinstance(v, dt.datetime),
        }
        if kind in ok and not ok[kind]:
            raise PydanticCustomError(
                "parameter_value",
                "value {value} is not of type {kind}",
                {"value": v, "kind": kind},
            )
        if kind == "duration":
            try:
                period = Duration.parse(v)
            except ValueError:
                raise PydanticCustomError(
                    "duration_format",
                    "{value} is not a period such as P30D, P3M, PT12H or P5WD (working days)",
                    {"value": v},
                ) from None
            problem = period_problem(period)
            if problem is not None:
                raise PydanticCustomError("period_invalid", problem[1],
                                          {"value": v, "zh": problem[0]})
        if kind == "ratio" and not (isinstance(v, str) and _is_ratio_text(v)):
            raise PydanticCustomError(
                "ratio_format",
                "{value} is not a ratio written as \"numerator/denominator\", e.g. \"4/5\"",
                {"value": v},
            )
        return v


def _is_ratio_text(value: str) -> bool:
    try:
        ratio_terms(value)
    except ValueError:
        return False
    return True


class FromHierarchy(_Model):
    """A fact of the organization list, read at start. 取自组织体系的事实（发起时读取）。"""

    org: Identifier = _f("从哪个 org 类型的输入字段所指的组织出发", "The org input it starts from")
    up: int | None = _f("向上 N 级的组织（与 level 二选一）",
                        "The organization N levels above (or give level)",
                        default=None, ge=0, le=10)
    level: Identifier | None = _f("所在的该层级组织（如 district，与 up 二选一）",
                                  "The organization at this level above it, e.g. district "
                                  "(or give up)", default=None)
    column: Identifier | None = _f(
        "组织名单中的列（bool 类型的输入：该列为 true/1/是 时为真）；不写则取组织编号（org 类型）",
        "A column of the organization list (a bool input: true when it reads true/1/是); "
        "without it, the organization's id (an org input)", default=None)


class Input(_Model):
    """A typed field of the instance data. 输入：实例数据中的字段。"""

    type: InputType = _f("类型", "Type")
    label: Label = _f("名称", "Label")
    values: list[NonEmpty] | None = _f("可选值（enum 类型）", "Allowed values (enum)", default=None)
    items: ItemType | None = _f("元素类型（list 类型）", "Item type (list)", default=None)
    min: int | float | None = _f("最小值", "Minimum (int, float)", default=None)
    max: int | float | None = _f("最大值", "Maximum (int, float)", default=None)
    max_length: int | None = _f("最大长度", "Maximum length (str, list)", default=None, ge=0)
    default: int | float | bool | str | dt.date | list[Any] | None = _f(
        "默认值（发起时未提供则取此值）", "Default, filled in at start when not given",
        default=None,
    )
    default_from: Identifier | None = _f(
        "默认值取自此参数（发起时未提供则取参数的值）",
        "Default taken from this parameter (its value is filled in at start when not given)",
        default=None)
    superior_of_starter: int | None = _f(
        "（org 类型）由组织体系确定：发起人所代表组织的上 N 级组织；发起人的组织不在组织体系中时才须填写",
        "(type org) Taken from the hierarchy: the organization N levels above the one the "
        "starter acts for; typed only when the starter's organization is not in the hierarchy",
        default=None, ge=1, le=10)
    record_only: bool = _f(
        "仅作记录：没有条件、提示、权限或期限读取它（如姓名、介绍信编号），不再提示",
        "Kept as a record only: no condition, message, authority or deadline reads it (a "
        "name, a letter number); silences the warning", default=False)
    from_hierarchy: FromHierarchy | None = _f(
        "由组织体系确定，发起时读取（如转出党组织所在的县级党委、上级党委是否有审批预备党员权限）；"
        "发起时不能另填",
        "Taken from the hierarchy at start (such as the county committee above the sending "
        "organization, or whether a committee may approve probationary members); it cannot be "
        "typed", default=None)


class Condition(_Model):
    """A guard written in CEL; its message is shown when it is false. 条件。"""

    expr: Annotated[str, StringConstraints(min_length=1, max_length=1000)] = _f(
        "表达式（CEL）", "Expression in CEL, e.g. present * 5 > expected * 4"
    )
    message: Label = _f(
        "不满足时的提示（可用 {字段名} 引用数值）",
        "Message shown when false; {name} inserts a value",
    )
    basis: NonEmpty | None = _f("依据", "Basis (rule id)", default=None)


class State(_Model):
    """A state of the procedure. 状态。"""

    label: Label = _f("名称", "Label")
    terminal: bool = _f("是否终止状态", "Whether the procedure ends here", default=False)
    deadline: NonEmpty | None = _f(
        "期限（如 P30D、P3M、5 个工作日写作 P5WD、按小时 PT48H，或 duration 参数名）：按日、月、年计算的"
        "期限从次日起算，到最后一日 24 时（本地时间）止",
        "Deadline: a period (P30D, P3M, P5WD for 5 working days, PT48H exact hours) or the "
        "name of a duration parameter; days, months and years start the next day and end at "
        "24:00 local time of the last day",
        default=None,
    )
    remind_before: NonEmpty | None = _f(
        "期限前提醒（如 P3D：最后 3 日内提醒；P2WD；PT24H；或 duration 参数名）",
        "Remind before the deadline (P3D: within the last 3 days; P2WD; PT24H; or the name "
        "of a duration parameter)",
        default=None,
    )
    on_timeout: Identifier | None = _f(
        "超期时触发的步骤", "Trigger fired when the deadline passes", default=None
    )
    renamed_from: Identifier | None = _f(
        "改名前的状态名（修改规则时声明，迁移和差异报告据此对应）",
        "The state's previous id, declared when renaming so diff and migration match them",
        default=None,
    )
    escalate: bool = _f(
        "超期后留在本状态，每过一个期限沿责任链向上一级督办（一级抓一级）",
        "When the deadline passes, stay here and escalate one level up the responsible "
        "organization's chain per further deadline period (instead of on_timeout)",
        default=False,
    )


class Transition(_Model):
    """A step from one or more states to another. 步骤（状态转换）。"""

    trigger: Identifier = _f("步骤名（触发）", "Trigger name")
    source: Identifier | list[Identifier] = _f("起始状态", "Source state(s)")
    dest: Identifier = _f("目标状态", "Destination state")
    roles: Annotated[list[Identifier], Field(min_length=1)] = _f(
        "可执行的角色", "Roles allowed to fire it"
    )
    conditions: list[Condition] = _f("条件", "Conditions, all must hold", default_factory=list)
    accepts: list[Identifier] | None = _f(
        "本步骤接受的数据字段（不写则接受全部输入字段）",
        "Fields this step accepts as event data (all inputs when omitted)",
        default=None,
    )
    distinct_from: list[Identifier] = _f(
        "四眼原则：执行人不得与这些已执行步骤的执行人相同（start 指发起人）",
        "Four-eyes: the actor must differ from whoever fired these earlier steps (start: "
        "whoever started the instance)",
        default_factory=list,
    )
    basis: NonEmpty | None = _f("依据", "Basis (rule id)", default=None)
    label: Label | None = _f("名称", "Label", default=None)


class Authority(_Model):
    """Who may act in a role (权限): an organization of the hierarchy and, where one person
    must act, which one; or a role declared open on purpose, with the reason.
    角色由谁办理：组织体系中的组织（及其书记），发起人本人，实例所涉的当事人，或说明理由的公开角色。"""

    org: Identifier | None = _f("组织字段（org 类型的输入字段）",
                                "The input (of type org) naming the organization", default=None)
    up: int = _f("向上几级（0 = 该组织本身，1 = 其直接上级）",
                 "Levels above it (0: that organization, 1: its direct superior)",
                 default=0, ge=0, le=10)
    person: Literal["any", "secretary", "starter", "subject"] = _f(
        "谁可以办理：any = 代表该组织的任何人；secretary = 仅该组织书记；starter = 发起本实例的人；"
        "subject = subject 字段所记的当事人本人（如被转接的党员）",
        "Who may act: any = anyone acting for that organization; secretary = only its "
        "recorded secretary; starter = whoever started the instance; subject = the person the "
        "subject input names (e.g. the member being transferred)", default="any")
    subject: Identifier | None = _f("当事人字段（str 类型，记其身份标识）",
                                    "The input (of type str) holding the person's id, for "
                                    "person: subject", default=None)
    open: Label | None = _f("有意公开：任何持此角色者均可办理，须写明理由",
                            "Open on purpose: anyone in the role may act; the reason",
                            default=None)
    basis: NonEmpty | None = _f("依据", "Basis (rule id)", default=None)


class Establishes(_Model):
    """The organization a procedure adds to the hierarchy when it ends well. 成立后加入组织体系。"""

    state: Identifier = _f("进入此状态时加入组织体系", "Added when the instance enters this state")
    id: Identifier = _f("新组织编号所在的输入字段", "Input holding the new organization's id")
    name: Identifier = _f("新组织名称所在的输入字段", "Input holding its name")
    parent: Identifier = _f("上级组织所在的输入字段（org 类型）",
                            "Input (of type org) holding its superior")
    secretary: Identifier | None = _f("书记所在的输入字段", "Input holding its secretary",
                                      default=None)
    basis: NonEmpty | None = _f("依据", "Basis (rule id)", default=None)


class Procedure(_Model):
    """A procedure: a state machine with its parameters. 流程。"""

    title: Label = _f("标题", "Title")
    initial: Identifier = _f("初始状态", "Initial state")
    start_roles: Annotated[list[Identifier], Field(min_length=1)] = _f(
        "可发起流程的角色", "Roles allowed to start an instance"
    )
    parameters: dict[Identifier, Parameter] = _f("参数", "Parameters", default_factory=dict)
    inputs: dict[Identifier, Input] = _f("输入字段", "Inputs", default_factory=dict)
    start_accepts: list[Identifier] | None = _f(
        "发起时可填写的输入字段；其余字段只能由在 accepts 中列出它的步骤填写（如上级的批准）。"
        "不写则发起时可填写全部字段（会有提示）",
        "Inputs the start may carry; any other input is set only by a step that lists it in "
        "accepts (such as a superior's approval). When not given, the start may carry every "
        "input (a warning)", default=None)
    states: Annotated[dict[Identifier, State], Field(min_length=1)] = _f("状态", "States")
    transitions: Annotated[list[Transition], Field(min_length=1)] = _f("步骤", "Transitions")
    organization: Identifier | None = _f(
        "负责本实例的组织（org 类型的输入字段；报表与逾期督办由此沿责任链向上）",
        "Input (of type org) naming the organization responsible for an instance; reports "
        "and escalation go up the chain from it", default=None)
    authority: dict[Identifier, Authority] = _f(
        "按组织体系的办理权限（角色 → 代表的组织）",
        "Authority from the hierarchy: role → the organization it acts for",
        default_factory=dict)
    establishes: Establishes | None = _f("成立的新组织", "The organization it establishes",
                                         default=None)


class SubUnit(_Model):
    """A unit below a level, such as a grid or a building party group. 下设单元（如网格）。"""

    id: Identifier = _f("单元名（如 grid）", "Unit id, e.g. grid")
    label: Label = _f("名称", "Label")


class HierarchyLevel(_Model):
    """One level of the organization hierarchy, top down. 组织层级。"""

    id: Identifier = _f("层级名（如 city）", "Level id, e.g. city")
    label: Label = _f("名称（如 市委）", "Label, e.g. 市委 / City committee")
    duty: Label = _f("责任（如 主体责任）", "Duty, e.g. 主体责任 / Principal responsibility")
    basis: NonEmpty | None = _f("依据", "Basis (rule id), e.g. H2", default=None)
    below: list[SubUnit] = _f(
        "下设单元（如网格、楼栋党小组）", "Units below this level, e.g. grids", default_factory=list
    )


class GridStaffing(_Model):
    """Staffing of each grid: exactly N leaders, at least M workers. 网格配备标准。"""

    enabled: bool = _f("是否启用", "Whether the check is on", default=True)
    unit: Identifier = _f("适用的下设单元", "The sub-unit it applies to", default="grid")
    leader_column: Identifier = _f("网格长所在列", "Column naming the grid leader",
                                   default="leader")
    workers_column: Identifier = _f("网格员所在列（多人用 ; 分隔）",
                                    "Column naming the grid workers (separated by ;)",
                                    default="workers")
    leaders: int = _f("网格长人数（恰好）", "Number of grid leaders (exactly)", default=1, ge=0)
    min_workers: int = _f("网格员最少人数", "Minimum number of grid workers", default=1, ge=0)
    basis: NonEmpty = _f("依据", "Basis (rule id)", default="H4")


class LocalStandard(_Model):
    """A local standard a locality may switch on, checked on one column. 地方标准。

    The column must hold at least ``min``; with ``per_column`` the minimum is ``min`` for
    every ``per`` units of that column (e.g. one worker per 400 households).
    """

    enabled: bool = _f("是否启用", "Whether the check is on", default=False)
    level: Identifier = _f("适用层级", "Level or sub-unit it applies to")
    column: Identifier = _f("检查的列", "Column checked")
    min: int | float = _f("最低值", "Minimum value")
    per_column: Identifier | None = _f("按此列折算（如户数）", "Column the minimum scales with",
                                       default=None)
    per: int | float | None = _f("每多少单位（如 400 户）", "Per how many units, e.g. 400",
                                 default=None, gt=0)
    round_up: bool = _f("按整单位向上取整", "Round whole units up", default=False)
    basis: NonEmpty = _f("依据", "Basis (rule id)")
    label: Label = _f("名称", "Label")


class Hierarchy(_Model):
    """The organization hierarchy: levels top down and local standards. 组织体系。"""

    levels: Annotated[list[HierarchyLevel], Field(min_length=1)] = _f(
        "层级（自上而下）", "Levels, top down"
    )
    grid_staffing: GridStaffing | None = _f("网格配备标准", "Grid staffing standard",
                                            default=None)
    standards: dict[Identifier, LocalStandard] = _f("地方标准", "Local standards",
                                                    default_factory=dict)


class CalendarSpec(_Model):
    """How periods are counted (期间的计算, RULES.md §6). 期间计算。"""

    time_zone: NonEmpty = _f("本地时区（IANA 名称）", "Local time zone (IANA name)",
                             default="Asia/Shanghai")
    working_days: Literal["CN"] = _f(
        "工作日历：CN（国务院节假日安排通知）", "Working-day calendar: CN (the State Council's "
        "yearly holiday notices)", default="CN")
    overrides: Annotated[str, StringConstraints(pattern=r"^[^/\\]{1,200}\.ya?ml$")] | None = _f(
        "本地节假日调整文件（与规则文件同一目录的 .yaml 文件名）",
        "Local override file: a .yaml file name in the rules file's folder", default=None)
    extend_past_holidays: bool = _f(
        "期限最后一日是法定休假日的，延至休假日结束的次日（民法典第二百零三条）",
        "A period whose last day is a rest day ends on the next working day (C4)",
        default=False)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise PydanticCustomError(
                "time_zone", "{value} is not a time zone name such as Asia/Shanghai",
                {"value": v}) from None
        return v


class CalendarOverrides(_Model):
    """A locality's calendar file: extra holidays and working days. 本地节假日调整。"""

    published_years: list[Annotated[int, Field(ge=1900, le=2200)]] = _f(
        "本文件已完整列出其节假日安排的年份（不再按估算）",
        "Years this file lists in full (no longer estimated)", default_factory=list)
    holidays: list[dt.date] = _f("增加的休息日", "Extra rest days", default_factory=list)
    working_days: list[dt.date] = _f("增加的工作日（调休上班）",
                                     "Extra working days (make-up days)",
                                     default_factory=list)


class RulesFile(_Model):
    """A partyflow rules file. partyflow 规则文件。"""

    version: Annotated[str, StringConstraints(min_length=1, max_length=MAX_RULES_VERSION)] = _f(
        "规则版本（最长 200 个字符）", "Version of these rules, e.g. \"2026.1\" (at most 200 "
        "characters)")
    roles: dict[Identifier, Label] = _f("角色", "Roles that may act")
    procedures: Annotated[dict[Identifier, Procedure], Field(min_length=1)] = _f(
        "流程", "Procedures"
    )
    hierarchy: Hierarchy | None = _f(
        "组织体系（层级、责任、地方标准）", "Organization hierarchy: levels, duties, standards",
        default=None,
    )
    calendar: CalendarSpec = _f(
        "期间计算（时区、工作日历、本地调整）", "How periods are counted: zone, working days, "
        "local overrides", default_factory=CalendarSpec)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of the rules file, for editors."""
    schema = RulesFile.model_json_schema(ref_template="#/definitions/{model}")
    defs = schema.pop("$defs", {})
    out: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://partyflow.invalid/rules.schema.json",
        **schema,
        "definitions": defs,
    }
    _draft07(out)
    return out


def _draft07(node: Any) -> None:
    """Rewrite the few 2020-12 forms pydantic emits into their draft-07 spelling."""
    if isinstance(node, dict):
        if "const" in node and "enum" not in node:
            node["enum"] = [node["const"]]
        for value in node.values():
            _draft07(value)
    elif isinstance(node, list):
        for value in node:
            _draft07(value)
