"""Who may act (权限): roles, the organization a role acts for, its secretary, four-eyes.

Every answer is read from the hierarchy (``HierarchyView``) and from the instance as stored,
never from the step's own data, so a forged organization field grants nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from partyflow.errors import Lang, NotAuthorized, Text
from partyflow.hierarchy.query import HierarchyView, Organization
from partyflow.rules.definitions import AuthorityDef, ProcedureDef, RuleSet, TransitionDef
from partyflow.workflows.records import Actor, AuditRecord


def role_name(rules: RuleSet, role: str, lang: Lang) -> str:
    """A role as users read it: ``街道党工委(street_committee)``."""
    label = rules.roles.get(role)
    return f"{label.get(lang)}({role})" if label else role


def role_names(rules: RuleSet, roles: Iterable[str], lang: Lang) -> str:
    """Several roles, sorted, joined in ``lang``."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(role_name(rules, r, lang) for r in sorted(roles))


def may_start(rules: RuleSet, proc: ProcedureDef, actor: Actor) -> None:
    """Refuse a role that is not among the procedure's ``start_roles``."""
    if actor.role in proc.start_roles:
        return
    raise NotAuthorized(
        Text(f"角色 {role_name(rules, actor.role, 'zh')} 不能发起 {proc.title.zh}；"
             f"可发起的角色：{role_names(rules, proc.start_roles, 'zh')}",
             f"role {actor.role} may not start {proc.title.en}; "
             f"allowed: {role_names(rules, proc.start_roles, 'en')}"),
        role=actor.role, allowed=sorted(proc.start_roles), procedure=proc.name,
        trigger="start", actor_id=actor.id,
    )


def role_refused(rules: RuleSet, proc: ProcedureDef, state: str, trigger: str,
                 candidates: Collection[TransitionDef], actor: Actor,
                 where: Mapping[str, Any]) -> NotAuthorized:
    """The refusal for a role that no transition of ``trigger`` lists."""
    roles = set().union(*(t.roles for t in candidates))
    return NotAuthorized(
        Text(f"角色 {role_name(rules, actor.role, 'zh')} 不能在“{proc.states[state].label.zh}”"
             f"执行 {trigger}；可执行的角色：{role_names(rules, roles, 'zh')}",
             f"role {actor.role} may not fire {trigger} in state {state}; "
             f"allowed: {role_names(rules, roles, 'en')}"),
        role=actor.role, allowed=sorted(roles), **where,
    )


def acting_org(proc: ProcedureDef, auth: AuthorityDef, data: Mapping[str, Any],
               orgs: HierarchyView) -> Organization | Text:
    """The organization ``auth`` resolves to on ``data``, or why there is none."""
    label = proc.inputs[auth.org].label
    org_id = data.get(auth.org)
    if org_id is None:
        return Text(f"实例尚未填写{label.zh}（{auth.org}）",
                    f"the instance has no {label.en} ({auth.org}) yet")
    org = orgs.above(org_id, auth.up)
    if org is None:
        return Text(f"组织体系中找不到{label.zh} {org_id} 的上{auth.up}级组织"
                    if auth.up else f"组织体系中没有{label.zh} {org_id}",
                    f"the hierarchy has no organization {auth.up} level(s) above "
                    f"{label.en} {org_id}" if auth.up else
                    f"the hierarchy has no {label.en} {org_id}")
    return org


def authority_refusal(rules: RuleSet, proc: ProcedureDef, data: Mapping[str, Any],
                      actor: Actor, trigger: str, orgs: HierarchyView,
                      where: Mapping[str, Any]) -> NotAuthorized | None:
    """None if ``actor`` may act in its role on this data (or the role has no ``authority``
    entry); else the refusal naming who may act (``acts_for``, ``person``)."""
    auth = proc.authority.get(actor.role)
    if auth is None:
        return None
    org = acting_org(proc, auth, data, orgs)
    role = auth.role
    zh_role = role_name(rules, role, "zh")
    common: dict[str, Any] = {"role": actor.role, "allowed": [role], **where}
    if isinstance(org, Text):
        return NotAuthorized(
            Text(f"无法确定谁可以以 {zh_role} 身份执行 {trigger}：{org.zh}",
                 f"cannot tell who may fire {trigger} as {role}: {org.en}"),
            reason="unresolved", **common)
    post = auth.person if auth.person != "any" else None
    secretary = org.secretary if post == "secretary" else None
    if post == "secretary" and not secretary:
        return NotAuthorized(
            Text(f"{org.name}（{org.id}）书记空缺，无人可以以 {zh_role} 身份执行 {trigger}",
                 f"{org.name} ({org.id}) has no secretary: nobody may fire {trigger} as "
                 f"{role}"), acts_for=org.id, person=post, reason="vacant", **common)
    if actor.org == org.id and (secretary is None or actor.id == secretary):
        return None
    who_zh = f"{org.name}（{org.id}）" + ("书记本人" if post == "secretary" else "")
    who_en = f"{org.name} ({org.id})" + (", its secretary in person," if post else "")
    return NotAuthorized(
        Text(f"只有{who_zh}可以以 {zh_role} 身份执行 {trigger}；"
             f"{actor.id} 代表的组织为 {actor.org or '（未指明）'}",
             f"only {who_en} may fire {trigger} as {role}; {actor.id} acts for "
             f"{actor.org or '(none given)'}"),
        acts_for=org.id, person=post,
        reason="person" if actor.org == org.id else "organization", **common)


def four_eyes_refusal(t: TransitionDef, actor: Actor, history: Iterable[AuditRecord],
                      where: Mapping[str, Any]) -> NotAuthorized | None:
    """None unless ``actor`` fired one of ``t.distinct_from`` on this instance (四眼原则)."""
    for record in history:
        if record.trigger in t.distinct_from and record.actor_id == actor.id:
            return NotAuthorized(
                Text(f"四眼原则：{actor.id} 已执行过 {record.trigger}（第 {record.seq} 步），"
                     f"不能再执行 {t.trigger}，须由另一人办理",
                     f"four-eyes: {actor.id} fired {record.trigger} (step {record.seq}) "
                     f"and may not also fire {t.trigger}; someone else must"),
                role=actor.role, allowed=sorted(t.roles), reason="four_eyes", **where)
    return None
