"""Levels, duties and local standards: built-in defaults (RULES.md H1–H7) or the rules file."""

from __future__ import annotations

from collections.abc import Sequence

from partyflow.errors import Text, UsageError
from partyflow.rules.definitions import RuleSet
from partyflow.rules.schema import GridStaffing, HierarchyLevel, Label, LocalStandard, SubUnit
from partyflow.rules.schema import Hierarchy as HierarchySpec

Level = HierarchyLevel

DEFAULT_LEVELS: tuple[HierarchyLevel, ...] = (
    HierarchyLevel(id="city", label=Label(zh="市委", en="City party committee"),
                   duty=Label(zh="主体责任", en="Principal responsibility"), basis="H2"),
    HierarchyLevel(id="district", label=Label(zh="区（县）委", en="District (county) party committee"),
                   duty=Label(zh="第一责任", en="First responsibility"), basis="H2"),
    HierarchyLevel(id="street", label=Label(zh="街道党工委", en="Street party working committee"),
                   duty=Label(zh="直接责任", en="Direct responsibility"), basis="H2"),
    HierarchyLevel(
        id="community", label=Label(zh="社区党组织", en="Community party organization"),
        duty=Label(zh="落实责任", en="Implementation responsibility"), basis="H2",
        below=[SubUnit(id="grid", label=Label(zh="网格", en="Grid")),
               SubUnit(id="building_group", label=Label(zh="楼栋党小组", en="Building party group"))],
    ),
)
"""The four levels of RULES.md H1/H2, top down, with grids and building groups below."""

DEFAULT_STANDARDS: dict[str, LocalStandard] = {
    "community_facilities": LocalStandard(
        level="community", column="facility_m2", min=1000, basis="H6",
        label=Label(zh="社区党群服务中心面积不少于 1000 平方米",
                    en="Community facilities of at least 1000 m²")),
    "community_workers": LocalStandard(
        level="community", column="community_workers", min=1, per_column="households", per=400,
        round_up=True, basis="H6",
        label=Label(zh="每 400 户配备 1 名社区工作者", en="One community worker per 400 households")),
    "community_funding": LocalStandard(
        level="community", column="funding_yuan", min=100000, per_column="households", per=1000,
        basis="H6",
        label=Label(zh="每千户服务经费 10 万元（市:区:街道 = 4:4:2）",
                    en="100,000 yuan per 1,000 households (city:district:street = 4:4:2)")),
    "joint_meeting": LocalStandard(
        level="street", column="joint_meetings_per_year", min=4, basis="H6",
        label=Label(zh="区、街道、社区党组织联席会议每季度一次",
                    en="A quarterly joint meeting of district, street and community organizations")),
}
"""The local standards of RULES.md H6, all switched off (a locality switches them on)."""

DEFAULT_HIERARCHY = HierarchySpec(levels=list(DEFAULT_LEVELS), grid_staffing=GridStaffing(),
                                  standards=DEFAULT_STANDARDS)
"""The built-in ``hierarchy:`` section: DEFAULT_LEVELS, H4 grid staffing on, H6 off."""

LevelsArg = RuleSet | HierarchySpec | Sequence[HierarchyLevel] | None


def resolve(levels: LevelsArg) -> HierarchySpec:
    """The hierarchy section to validate against (see ``load_hierarchy``)."""
    if levels is None:
        return DEFAULT_HIERARCHY
    if isinstance(levels, RuleSet):
        return levels.hierarchy if levels.hierarchy is not None else DEFAULT_HIERARCHY
    if isinstance(levels, HierarchySpec):
        spec = levels
    else:
        lv = list(levels)
        if not lv:
            raise UsageError(Text("层级不能为空", "levels must not be empty"))
        units = {u.id for level in lv for u in level.below}
        spec = HierarchySpec(levels=lv, grid_staffing=GridStaffing() if "grid" in units else None)
    ids = [level.id for level in spec.levels] + [u.id for level in spec.levels for u in level.below]
    if len(set(ids)) != len(ids):
        raise UsageError(Text("层级或单元名重复", "level and unit ids must be unique"))
    return spec
