# language: zh-CN
@two_meetings
功能: 两会制
  重大事项由两委会共同提出议题 → 党员大会形成预案 → 村民代表会议形成决议 → 村务监督小组监督两委会执行。
  党员大会沿用四议两公开的到会与表决比例（D3），村民代表会议沿用 D5。

  背景:
    假如 当前时间是 "2026-03-02T09:00:00+00:00"
    # 本村（社区）的组织为本村（社区）办理：议题属于星光社区（xingguang，取自 examples/hierarchy.csv），
    # 只写角色的步骤由该社区的相应组织执行；其他村（社区）的组织不能办理。
    而且 发起时默认填写：
      | 字段        | 值        |
      | village_org | xingguang |

  @D8
  场景: 完整流程按序进行，审计记录可校验
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段   | 值             |
      | matter | 村集体资产处置 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    那么 当前状态为 "jointly_proposed"
    当 "village_party_org" 执行 "form_draft_plan"，数据为：
      | 字段            | 值                         |
      | draft_plan      | 公开竞价出租，收益纳入集体 |
      | full_members    | 40                         |
      | members_present | 33                         |
      | members_yes     | 28                         |
    那么 当前状态为 "draft_plan_formed"
    当 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值 |
      | resolving_expected | 45 |
      | resolving_present  | 38 |
      | resolving_yes      | 30 |
    那么 当前状态为 "resolved"
    当 "two_committees" 执行 "report_execution"
    而且 "supervision_committee" 执行 "confirm_execution"
    那么 当前状态为 "completed"
    而且 审计记录共 6 条，哈希链完整

  @D8
  场景: 未形成预案，不能由村民代表会议决议
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段 | 值 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值 |
      | resolving_expected | 45 |
      | resolving_present  | 38 |
      | resolving_yes      | 30 |
    那么 操作被拒绝，提示包含 "下不能执行 resolve"
    而且 当前状态为 "jointly_proposed"

  @D8 @D2
  场景大纲: 两委会共同提出议题，须全体组成人员过半数赞成
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段 | 值 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值         |
      | committee_members | <组成人员> |
      | committee_yes     | <赞成>     |
    那么 结果为 "<结果>"

    例子:
      | 组成人员 | 赞成 | 结果             |
      | 9        | 4    | 被拒绝           |
      | 9        | 5    | jointly_proposed |
      | 8        | 4    | 被拒绝           |
      | 8        | 5    | jointly_proposed |
      | 9        | 10   | 被拒绝           |

  @D8 @D2
  场景: 两委会赞成未过半数，提示实际票数
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段 | 值 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 8  |
      | committee_yes     | 4  |
    那么 操作被拒绝，提示包含 "两委会赞成 4 票，未超过组成人员 8 人的 1/2，不能共同提出议题"
    而且 当前状态为 "raised"

  @D8 @D3
  场景大纲: 党员大会形成预案，须超过半数正式党员到会、赞成人数超过应到会党员半数
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段 | 值 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    而且 "village_party_org" 执行 "form_draft_plan"，数据为：
      | 字段            | 值       |
      | draft_plan      | 预案全文 |
      | full_members    | <应到>   |
      | members_present | <到会>   |
      | members_yes     | <赞成>   |
    那么 结果为 "<结果>"

    例子:
      | 应到 | 到会 | 赞成 | 结果              |
      | 40   | 20   | 20   | 被拒绝            |
      | 40   | 21   | 21   | draft_plan_formed |
      | 41   | 20   | 20   | 被拒绝            |
      | 41   | 21   | 21   | draft_plan_formed |
      | 40   | 30   | 20   | 被拒绝            |
      | 40   | 30   | 21   | draft_plan_formed |
      | 40   | 41   | 30   | 被拒绝            |

  @D8
  场景: 党员大会须形成预案内容
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段 | 值 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    而且 "village_party_org" 执行 "form_draft_plan"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 33 |
      | members_yes     | 28 |
    那么 操作被拒绝，提示包含 "须填写党员大会形成的预案"
    而且 当前状态为 "jointly_proposed"

  @D8 @D5
  场景大纲: 村民代表会议形成决议，须三分之二以上组成人员到会（含本数）、到会人员过半数赞成
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段 | 值 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    而且 "village_party_org" 执行 "form_draft_plan"，数据为：
      | 字段            | 值       |
      | draft_plan      | 预案全文 |
      | full_members    | 40       |
      | members_present | 33       |
      | members_yes     | 28       |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值     |
      | resolving_expected | <代表> |
      | resolving_present  | <到会> |
      | resolving_yes      | <赞成> |
    那么 结果为 "<结果>"

    例子:
      | 代表 | 到会 | 赞成 | 结果     |
      | 45   | 29   | 25   | 被拒绝   |
      | 45   | 30   | 25   | resolved |
      | 31   | 20   | 15   | 被拒绝   |
      | 31   | 21   | 15   | resolved |
      | 45   | 30   | 15   | 被拒绝   |
      | 45   | 30   | 16   | resolved |
      | 45   | 46   | 30   | 被拒绝   |

  @D8 @D5
  场景: 村民代表会议到会不足，提示实际人数
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段 | 值 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    而且 "village_party_org" 执行 "form_draft_plan"，数据为：
      | 字段            | 值       |
      | draft_plan      | 预案全文 |
      | full_members    | 40       |
      | members_present | 33       |
      | members_yes     | 28       |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值 |
      | resolving_expected | 45 |
      | resolving_present  | 29 |
      | resolving_yes      | 25 |
    那么 操作被拒绝，提示包含 "村民代表会议到会 29 人，不足组成人员 45 人的 2/3"
    而且 当前状态为 "draft_plan_formed"

  @D8
  场景: 村务监督小组监督两委会执行：整改须说明理由，只有监督小组确认执行完毕
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段 | 值 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    而且 "village_party_org" 执行 "form_draft_plan"，数据为：
      | 字段            | 值       |
      | draft_plan      | 预案全文 |
      | full_members    | 40       |
      | members_present | 33       |
      | members_yes     | 28       |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值 |
      | resolving_expected | 45 |
      | resolving_present  | 38 |
      | resolving_yes      | 30 |
    而且 "two_committees" 执行 "report_execution"
    而且 "two_committees" 执行 "confirm_execution"
    那么 操作被拒绝，提示包含 "村务监督委员会（村务监督小组）"
    当 "supervision_committee" 执行 "request_correction"
    那么 操作被拒绝，提示包含 "要求整改必须说明理由"
    当 "supervision_committee" 执行 "request_correction"，数据为：
      | 字段   | 值                   |
      | reason | 未按决议公开竞价出租 |
    那么 当前状态为 "resolved"
    当 "two_committees" 执行 "report_execution"
    而且 "supervision_committee" 执行 "confirm_execution"
    那么 当前状态为 "completed"
    而且 审计记录共 8 条，哈希链完整

  @D8
  场景: 撤回议题必须说明理由，撤回后流程结束
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段   | 值             |
      | matter | 村集体资产处置 |
    当 "two_committees" 执行 "withdraw"
    那么 操作被拒绝，提示包含 "撤回议题必须说明理由"
    当 "two_committees" 执行 "withdraw"，数据为：
      | 字段   | 值    |
      | reason | "   " |
    那么 操作被拒绝，提示包含 "撤回议题必须说明理由"
    而且 当前状态为 "raised"
    当 "two_committees" 执行 "withdraw"，数据为：
      | 字段   | 值                               |
      | reason | 资产权属存在争议，待确权后再提出 |
    那么 当前状态为 "withdrawn"
    而且 审计记录共 2 条，哈希链完整
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    那么 操作被拒绝，提示包含 "下不能执行 propose"
    而且 "two_committees" 可执行的步骤为 "无"

  @D8
  场景: 党员大会形成预案后、村民代表会议决议前撤回议题，须说明理由
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段 | 值 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    而且 "village_party_org" 执行 "form_draft_plan"，数据为：
      | 字段            | 值       |
      | draft_plan      | 预案全文 |
      | full_members    | 40       |
      | members_present | 33       |
      | members_yes     | 28       |
    而且 "village_party_org" 执行 "withdraw"，数据为：
      | 字段   | 值 |
      | reason | "" |
    那么 操作被拒绝，提示包含 "撤回议题必须说明理由"
    而且 当前状态为 "draft_plan_formed"
    当 "village_party_org" 执行 "withdraw"，数据为：
      | 字段   | 值                           |
      | reason | 上级政策调整，预案须重新论证 |
    那么 当前状态为 "withdrawn"
    而且 审计记录共 4 条，哈希链完整
    当 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值 |
      | resolving_expected | 45 |
      | resolving_present  | 38 |
      | resolving_yes      | 30 |
    那么 操作被拒绝，提示包含 "下不能执行 resolve"

  @D8 @D3
  场景: 本地规定党员大会须三分之二以上到会的（含本数），不足三分之二不能形成预案
    假如 "two_committees" 发起流程 "two_meetings"，数据为：
      | 字段   | 值             |
      | matter | 村集体资产处置 |
    当 "two_committees" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 9  |
      | committee_yes     | 7  |
    而且 规则参数修改为：
      | 流程         | 参数                     | 新值 |
      | two_meetings | members_quorum           | 2/3  |
      | two_meetings | members_quorum_inclusive | true |
    而且 按映射迁移到新规则：
      | 原状态 | 新状态 |
    而且 "village_party_org" 执行 "form_draft_plan"，数据为：
      | 字段            | 值           |
      | draft_plan      | 资产公开招租 |
      | full_members    | 30           |
      | members_present | 19           |
      | members_yes     | 16           |
    那么 操作被拒绝，提示包含 "党员大会到会 19 人，不足应到会正式党员 30 人的 2/3"
    当 "village_party_org" 执行 "form_draft_plan"，数据为：
      | 字段            | 值           |
      | draft_plan      | 资产公开招租 |
      | full_members    | 30           |
      | members_present | 20           |
      | members_yes     | 16           |
    那么 当前状态为 "draft_plan_formed"
