"""Who may act (权限): roles, the organization a role acts for, its secretary, four-eyes.

Every answer is read from the hierarchy (``HierarchyView``) and from the instance as stored,
never from the step's own data, so a forged organization field grants nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from partyflow.errors import Lang, NotAuthorized, Text
from partyflow.hierarchy.query import HierarchyView, Organization
from partyflow.rules.definitions import AuthorityDef, ProcedureDef, RuleSet, TransitionDef
from partyflow.workflows.records import Actor, AuditRecord, person_key


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
               orgs: HierarchyView) -> Organization | Text | None:
    """The organization ``auth`` resolves to on ``data``, why there is none, or None when
    the binding names no organization (``person: starter``/``subject`` alone, ``open``)."""
    if auth.org is None:
        return None
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


Starter = Callable[[], tuple[str, str | None] | None]
"""Who started the instance: ``(actor id, organization)``, read only when a binding needs it."""


def same_person(a: str, b: str) -> bool:
    """Whether two actor ids name the same person: compared after Unicode NFKC normalization,
    case folding and trimming (``"Wang.Li "`` is ``"wang.li"``; full-width letters are their
    ASCII forms). The one comparison for starter, subject, secretary and four-eyes."""
    return person_key(a) == person_key(b)



def authority_refusal(rules: RuleSet, proc: ProcedureDef, data: Mapping[str, Any],
                      actor: Actor, trigger: str, orgs: HierarchyView,
                      where: Mapping[str, Any], starter: Starter | None = None
                      ) -> NotAuthorized | None:
    """None if ``actor`` may act in its role on this data (or the role is bound ``open``, or
    has no ``authority`` entry: the rules check refuses a transition role without one); else
    the refusal naming the post that may act (``acts_for``, ``person``) and why (``reason``)."""
    auth = proc.authority.get(actor.role)
    if auth is None or auth.open is not None:
        return None
    role = auth.role
    zh_role = role_name(rules, role, "zh")
    common: dict[str, Any] = {"role": actor.role, "allowed": [role], **where}
    org = acting_org(proc, auth, data, orgs)
    if isinstance(org, Text):
        return NotAuthorized(
            Text(f"无法确定谁可以以 {zh_role} 身份执行 {trigger}：{org.zh}",
                 f"cannot tell who may fire {trigger} as {role}: {org.en}"),
            reason="unresolved", **common)
    if org is not None:
        refusal = _org_refusal(auth, org, actor, trigger, zh_role, common)
        if refusal is not None:
            return refusal
    if auth.person == "starter":
        who = starter() if starter is not None else None
        if who is None or not same_person(actor.id, who[0]) or (org is None and actor.org != who[1]):
            return NotAuthorized(
                Text(f"只有发起本实例的人（代表其发起时的组织）可以以 {zh_role} 身份执行 {trigger}",
                     f"only whoever started this instance (for the organization they started "
                     f"it for) may fire {trigger} as {role}"),
                acts_for=org.id if org is not None else (who[1] if who else None),
                person="starter", reason="person", **common)
    elif auth.person == "subject":
        assert auth.subject is not None  # the rules check requires it
        subject = data.get(auth.subject)
        label = proc.inputs[auth.subject].label
        if subject is None:
            return NotAuthorized(
                Text(f"无法确定谁可以以 {zh_role} 身份执行 {trigger}：实例尚未填写{label.zh}（{auth.subject}）",
                     f"cannot tell who may fire {trigger} as {role}: the instance has no "
                     f"{label.en} ({auth.subject}) yet"), reason="unresolved", **common)
        if not same_person(actor.id, str(subject)):
            return NotAuthorized(
                Text(f"只有{label.zh}所记的当事人本人可以以 {zh_role} 身份执行 {trigger}",
                     f"only the person named as {label.en} may fire {trigger} as {role}"),
                acts_for=org.id if org is not None else None, person="subject",
                reason="person", **common)
    return None


def _org_refusal(auth: AuthorityDef, org: Organization, actor: Actor, trigger: str,
                 zh_role: str, common: dict[str, Any]) -> NotAuthorized | None:
    """None if ``actor`` acts for ``org`` (as its secretary, where the binding says so)."""
    role = auth.role
    post = "secretary" if auth.person == "secretary" else None
    secretary = org.secretary if post else None
    if post and not secretary:
        return NotAuthorized(
            Text(f"{org.name}（{org.id}）书记空缺，无人可以以 {zh_role} 身份执行 {trigger}",
                 f"{org.name} ({org.id}) has no secretary: nobody may fire {trigger} as "
                 f"{role}"), acts_for=org.id, person=post, reason="vacant", **common)
    if actor.org == org.id and (secretary is None or same_person(actor.id, secretary)):
        return None
    who_zh = f"{org.name}（{org.id}）" + ("书记本人" if post else "")
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
        if record.trigger in t.distinct_from and same_person(record.actor_id, actor.id):
            return NotAuthorized(
                Text(f"四眼原则：{actor.id} 已执行过 {record.trigger}（第 {record.seq} 步），"
                     f"不能再执行 {t.trigger}，须由另一人办理",
                     f"four-eyes: {actor.id} fired {record.trigger} (step {record.seq}) "
                     f"and may not also fire {t.trigger}; someone else must"),
                role=actor.role, allowed=sorted(t.roles), reason="four_eyes", **where)
    return None
