# language: zh-CN
@four_deliberations
功能: 四议两公开
  村级重大事项按序决策：党组织提议 → 两委会议商议 → 党员大会审议 → 村民会议或村民代表会议（居民会议）决议
  → 决议公开 → 组织实施 → 实施结果公开 → 村务监督委员会审核办结。
  不得跳过或颠倒任何一步；书记、主任“一肩挑”时，提议与商议可合并进行。
  各会议的到会与表决比例都是规则文件中的参数：超过 = 不含本数，以上 = 含本数。

  背景:
    假如 当前时间是 "2026-03-02T09:00:00+00:00"
    # 本村（社区）的组织为本村（社区）办理：议题属于星光社区（xingguang，取自 examples/hierarchy.csv），
    # 只写角色的步骤由该社区的相应组织执行；其他村（社区）的组织不能办理。
    而且 发起时默认填写：
      | 字段        | 值        |
      | village_org | xingguang |

  @D1 @D2 @D3 @D4 @D7
  场景: 完整流程按序进行，审计记录可校验
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值                 |
      | matter                | 村集体土地流转方案 |
      | secretary_is_director | false              |
    当 "village_party_org" 执行 "propose"
    那么 当前状态为 "proposed"
    当 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    那么 当前状态为 "deliberated"
    当 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    那么 当前状态为 "reviewed"
    当 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                |
      | resolving_meeting  | villagers_meeting |
      | resolving_expected | 1000              |
      | resolving_present  | 620               |
      | resolving_yes      | 500               |
    那么 当前状态为 "resolved"
    当 "villagers_committee" 执行 "publish"
    而且 "villagers_committee" 执行 "implement"
    而且 "villagers_committee" 执行 "publish_results"
    而且 "supervision_committee" 执行 "close"
    那么 当前状态为 "closed"
    而且 审计记录共 9 条，哈希链完整

  @D1
  场景: 不能跳过两委会议商议，直接提交党员大会审议
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    那么 操作被拒绝，提示包含 "下不能执行 review"
    而且 当前状态为 "proposed"

  @D1
  场景: 未经党员大会审议，不能由村民代表会议决议
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                      |
      | resolving_meeting  | representatives_meeting |
      | resolving_expected | 45                      |
      | resolving_present  | 40                      |
      | resolving_yes      | 30                      |
    那么 操作被拒绝，提示包含 "下不能执行 resolve"
    而且 当前状态为 "deliberated"

  @D1 @D7
  场景: 决议未公开，不能组织实施
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                      |
      | resolving_meeting  | representatives_meeting |
      | resolving_expected | 45                      |
      | resolving_present  | 40                      |
      | resolving_yes      | 30                      |
    而且 "villagers_committee" 执行 "implement"
    那么 操作被拒绝，提示包含 "下不能执行 implement"
    而且 当前状态为 "resolved"

  @D1 @D2
  场景: 书记、主任“一肩挑”，党组织提议与两委会议商议合并为一步
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值   |
      | secretary_is_director | true |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 4  |
    那么 当前状态为 "deliberated"
    而且 审计记录共 2 条，哈希链完整

  @D1
  场景: “一肩挑”合并进行时，须填写两委会议的表决结果
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值   |
      | secretary_is_director | true |
    当 "village_party_org" 执行 "propose"
    那么 操作被拒绝，提示包含 "须同时填写两委会议组成人员数与赞成票数"
    而且 当前状态为 "raised"

  @D1
  场景: 发起时未写明书记、主任是否“一肩挑”的，不能确定是否合并进行，不能提议
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段   | 值                 |
      | matter | 村集体土地流转方案 |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    那么 操作被拒绝，提示包含 "须先由党组织提议，再召开两委会议商议（尚未提供党组织书记与村（居）委会主任为同一人"
    而且 当前状态为 "raised"

  @D1
  场景: 书记、主任不是同一人，提议后须另行召开两委会议商议
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 7  |
    那么 当前状态为 "proposed"

  @D1 @D2
  场景: “一肩挑”合并进行时，两委会议同样须过半数
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值   |
      | secretary_is_director | true |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 3  |
    那么 操作被拒绝，提示包含 "两委会议赞成 3 票，未超过组成人员 7 人的 1/2"
    而且 当前状态为 "raised"

  @D2
  场景大纲: 两委会议以全体组成人员过半数通过
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值         |
      | committee_members | <组成人员> |
      | committee_yes     | <赞成>     |
    那么 结果为 "<结果>"

    例子:
      | 组成人员 | 赞成 | 结果        |
      | 7        | 3    | 被拒绝      |
      | 7        | 4    | deliberated |
      | 6        | 3    | 被拒绝      |
      | 6        | 4    | deliberated |
      | 7        | 8    | 被拒绝      |

  @D2
  场景: 两委会议未过半数，提示实际票数
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 6  |
      | committee_yes     | 3  |
    那么 操作被拒绝，提示包含 "两委会议赞成 3 票，未超过组成人员 6 人的 1/2"
    而且 当前状态为 "proposed"

  @D3
  场景大纲: 党员大会须超过半数正式党员到会，赞成人数须超过应到会党员的半数
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值     |
      | full_members    | <应到> |
      | members_present | <到会> |
      | members_yes     | <赞成> |
    那么 结果为 "<结果>"

    例子: 到会人数
      | 应到 | 到会 | 赞成 | 结果     |
      | 40   | 20   | 20   | 被拒绝   |
      | 40   | 21   | 21   | reviewed |
      | 41   | 20   | 20   | 被拒绝   |
      | 41   | 21   | 21   | reviewed |
      | 40   | 41   | 30   | 被拒绝   |

    例子: 赞成人数以应到会党员计算，不以到会人数计算
      | 应到 | 到会 | 赞成 | 结果     |
      | 40   | 30   | 20   | 被拒绝   |
      | 40   | 30   | 21   | reviewed |
      | 41   | 40   | 20   | 被拒绝   |
      | 41   | 40   | 21   | reviewed |

  @D3
  场景: 党员大会到会不足，提示实际人数
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 20 |
      | members_yes     | 18 |
    那么 操作被拒绝，提示包含 "党员大会到会 20 人，未超过应到会正式党员 40 人的 1/2"
    而且 当前状态为 "deliberated"

  @D1 @D3
  场景: 党员大会未通过，议题不能进入决议，只能说明理由后撤回
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 36 |
      | members_yes     | 12 |
    那么 操作被拒绝，提示包含 "党员大会赞成 12 人，未超过应到会正式党员 40 人的 1/2"
    当 "village_party_org" 执行 "withdraw"
    那么 操作被拒绝，提示包含 "撤回议题必须说明理由"
    当 "village_party_org" 执行 "withdraw"，数据为：
      | 字段   | 值                 |
      | reason | 党员大会审议未通过 |
    那么 当前状态为 "withdrawn"

  @D1
  场景: 决议会议到会人数多于应到人数的，人数不一致，不能形成决议
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                      |
      | resolving_meeting  | representatives_meeting |
      | resolving_expected | 45                      |
      | resolving_present  | 46                      |
      | resolving_yes      | 30                      |
    那么 操作被拒绝，提示包含 "决议会议人数不一致，应到 45，到会 46，赞成 30"
    而且 当前状态为 "reviewed"

  @D4
  场景大纲: 村民会议按人计，18 周岁以上村民过半数到会，到会人员过半数通过
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段                   | 值                |
      | resolving_meeting      | villagers_meeting |
      | villagers_quorum_route | adults            |
      | resolving_expected     | <村民>            |
      | resolving_present      | <到会>            |
      | resolving_yes          | <赞成>            |
    那么 结果为 "<结果>"

    例子:
      | 村民 | 到会 | 赞成 | 结果     |
      | 1000 | 500  | 400  | 被拒绝   |
      | 1000 | 501  | 400  | resolved |
      | 1001 | 500  | 400  | 被拒绝   |
      | 1001 | 501  | 400  | resolved |
      | 1000 | 501  | 250  | 被拒绝   |
      | 1000 | 501  | 251  | resolved |
      | 1000 | 600  | 300  | 被拒绝   |
      | 1000 | 600  | 301  | resolved |

  @D4
  场景大纲: 村民会议按户计，三分之二以上的户的代表到会（含本数），到会人员过半数通过
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段                   | 值                |
      | resolving_meeting      | villagers_meeting |
      | villagers_quorum_route | households        |
      | resolving_expected     | <户数>            |
      | resolving_present      | <到会户代表>      |
      | resolving_yes          | <赞成>            |
    那么 结果为 "<结果>"

    例子:
      | 户数 | 到会户代表 | 赞成 | 结果     |
      | 300  | 199        | 150  | 被拒绝   |
      | 300  | 200        | 150  | resolved |
      | 301  | 200        | 150  | 被拒绝   |
      | 301  | 201        | 150  | resolved |
      | 300  | 200        | 100  | 被拒绝   |
      | 300  | 200        | 101  | resolved |

  @D4
  场景: 村民会议两种到会计算方式任选其一：按人计不足时，按户计达到即可
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段                   | 值                |
      | resolving_meeting      | villagers_meeting |
      | villagers_quorum_route | adults            |
      | resolving_expected     | 1000              |
      | resolving_present      | 230               |
      | resolving_yes          | 200               |
    那么 操作被拒绝，提示包含 "村民会议到会 230 人，未超过本村 18 周岁以上村民 1000 人的 1/2（也可按户计，2/3 以上的户的代表到会）"
    当 "villagers_committee" 执行 "resolve"，数据为：
      | 字段                   | 值                |
      | resolving_meeting      | villagers_meeting |
      | villagers_quorum_route | households        |
      | resolving_expected     | 300               |
      | resolving_present      | 230               |
      | resolving_yes          | 200               |
    那么 当前状态为 "resolved"

  @D5
  场景大纲: 村民代表会议三分之二以上组成人员到会（含本数），到会人员过半数通过
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                      |
      | resolving_meeting  | representatives_meeting |
      | resolving_expected | <代表>                  |
      | resolving_present  | <到会>                  |
      | resolving_yes      | <赞成>                  |
    那么 结果为 "<结果>"

    例子:
      | 代表 | 到会 | 赞成 | 结果     |
      | 45   | 29   | 25   | 被拒绝   |
      | 45   | 30   | 25   | resolved |
      | 31   | 20   | 15   | 被拒绝   |
      | 31   | 21   | 15   | resolved |
      | 45   | 30   | 15   | 被拒绝   |
      | 45   | 30   | 16   | resolved |
      | 45   | 31   | 15   | 被拒绝   |
      | 45   | 31   | 16   | resolved |

  @D5
  场景: 村民代表会议到会不足三分之二，提示实际人数
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                      |
      | resolving_meeting  | representatives_meeting |
      | resolving_expected | 45                      |
      | resolving_present  | 29                      |
      | resolving_yes      | 25                      |
    那么 操作被拒绝，提示包含 "村民代表会议到会 29 人，不足组成人员 45 人的 2/3"
    而且 当前状态为 "reviewed"

  @D6
  场景大纲: 居民会议过半数有权参加的居民到会，到会人员过半数通过
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                |
      | resolving_meeting  | residents_meeting |
      | resolving_expected | <有权参加>        |
      | resolving_present  | <到会>            |
      | resolving_yes      | <赞成>            |
    那么 结果为 "<结果>"

    例子:
      | 有权参加 | 到会 | 赞成 | 结果     |
      | 800      | 400  | 300  | 被拒绝   |
      | 800      | 401  | 300  | resolved |
      | 801      | 400  | 300  | 被拒绝   |
      | 801      | 401  | 300  | resolved |
      | 800      | 401  | 200  | 被拒绝   |
      | 800      | 401  | 201  | resolved |
      | 800      | 402  | 201  | 被拒绝   |
      | 800      | 402  | 202  | resolved |

  @D6
  场景: 居民会议表决未过半数，提示实际票数
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值    |
      | secretary_is_director | false |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                |
      | resolving_meeting  | residents_meeting |
      | resolving_expected | 800               |
      | resolving_present  | 402               |
      | resolving_yes      | 201               |
    那么 操作被拒绝，提示包含 "居民会议赞成 201 人，未超过到会 402 人的 1/2"
    而且 当前状态为 "reviewed"

  @D7 @C1 @C3
  场景: 决议逾期未公开，转村务监督委员会督促，之后补行公开
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值   |
      | secretary_is_director | true |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                      |
      | resolving_meeting  | representatives_meeting |
      | resolving_expected | 45                      |
      | resolving_present  | 40                      |
      | resolving_yes      | 30                      |
    # 3 月 2 日形成决议：7 日公开期限从 3 月 3 日起算，3 月 9 日 24 时（北京时间）止
    那么 期限最后一日为 "2026-03-09"
    当 当前时间是 "2026-03-09T23:59:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "resolved"
    当 当前时间是 "2026-03-10T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "publication_overdue"
    当 "villagers_committee" 执行 "publish"
    那么 当前状态为 "resolution_published"

  @D7 @C1 @C3
  场景: 实施结果逾期未公开，转村务监督委员会督促；整改须说明理由；只有村务监督委员会审核办结
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值   |
      | secretary_is_director | true |
    当 "village_party_org" 执行 "propose"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 40 |
      | members_present | 35 |
      | members_yes     | 30 |
    而且 "villagers_committee" 执行 "resolve"，数据为：
      | 字段               | 值                      |
      | resolving_meeting  | representatives_meeting |
      | resolving_expected | 45                      |
      | resolving_present  | 40                      |
      | resolving_yes      | 30                      |
    而且 "villagers_committee" 执行 "publish"
    而且 "villagers_committee" 执行 "implement"
    那么 期限最后一日为 "2026-03-09"
    当 当前时间是 "2026-03-09T23:59:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "implemented"
    当 当前时间是 "2026-03-10T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "results_overdue"
    当 "villagers_committee" 执行 "publish_results"
    而且 "villagers_committee" 执行 "close"
    那么 操作被拒绝，提示包含 "村务监督委员会"
    当 "supervision_committee" 执行 "request_correction"
    那么 操作被拒绝，提示包含 "要求整改必须说明理由"
    当 "supervision_committee" 执行 "request_correction"，数据为：
      | 字段   | 值                   |
      | reason | 公开内容缺少资金明细 |
    那么 当前状态为 "implemented"
    当 "villagers_committee" 执行 "publish_results"
    而且 "supervision_committee" 执行 "close"
    那么 当前状态为 "closed"
    而且 审计记录共 11 条，哈希链完整

  @D3
  场景: 本地规定党员大会须三分之二以上到会的（含本数），不足三分之二不能审议
    假如 "village_party_org" 发起流程 "four_deliberations"，数据为：
      | 字段                  | 值                 |
      | matter                | 村集体土地流转方案 |
      | secretary_is_director | false              |
    当 "village_party_org" 执行 "propose"
    而且 "two_committees" 执行 "deliberate"，数据为：
      | 字段              | 值 |
      | committee_members | 7  |
      | committee_yes     | 5  |
    而且 规则参数修改为：
      | 流程               | 参数                     | 新值 |
      | four_deliberations | members_quorum           | 2/3  |
      | four_deliberations | members_quorum_inclusive | true |
    而且 按映射迁移到新规则：
      | 原状态 | 新状态 |
    而且 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 30 |
      | members_present | 19 |
      | members_yes     | 16 |
    那么 操作被拒绝，提示包含 "党员大会到会 19 人，不足应到会正式党员 30 人的 2/3"
    当 "village_party_org" 执行 "review"，数据为：
      | 字段            | 值 |
      | full_members    | 30 |
      | members_present | 20 |
      | members_yes     | 16 |
    那么 当前状态为 "reviewed"
