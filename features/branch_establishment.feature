# language: zh-CN
@branch_establishment
功能: 成立党支部
  单位提出请示，上级党组织审批，党员大会选举，选举结果报批后党支部成立。
  只计算正式党员；不足 3 名正式党员的单位不能单独建立党支部。

  背景:
    假如 当前时间是 "2026-03-02T09:00:00+00:00"
    # 组织体系取自 examples/hierarchy.csv：由东城街道党工委（dongcheng-street）审批。
    而且 发起时默认填写：
      | 字段       | 值               |
      | parent_org | dongcheng-street |

  @B2
  场景: 不足 3 名正式党员，不能单独成立党支部
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段          | 值       |
      | unit_name     | 星光社区 |
      | full_members  | 2        |
      | org_form      | branch   |
    当 "applicant" 执行 "submit"
    那么 操作被拒绝，提示包含 "正式党员 2 人，不足 3 人，不能单独成立党支部"
    而且 当前状态为 "requested"

  @B2
  场景: 申请单位在报送前可以撤回请示，撤回后办结
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段          | 值       |
      | full_members  | 3        |
      | org_form      | branch   |
    当 "applicant" 执行 "withdraw"
    那么 当前状态为 "withdrawn"
    而且 审计记录共 2 条，哈希链完整

  @B2
  场景: 申请单位在上级批复前可以撤回已报送的请示，撤回后不能再报送
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段          | 值       |
      | full_members  | 3        |
      | org_form      | branch   |
    当 "applicant" 执行 "submit"
    那么 当前状态为 "under_review"
    当 "applicant" 执行 "withdraw"
    那么 当前状态为 "withdrawn"
    当 "applicant" 执行 "submit"
    那么 操作被拒绝，提示包含 "不能执行 submit"
    而且 审计记录共 3 条，哈希链完整

  @B2
  场景: 恰好 3 名正式党员，可以报送请示
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段          | 值       |
      | full_members  | 3        |
      | org_form      | branch   |
    当 "applicant" 执行 "submit"
    那么 当前状态为 "under_review"

  @B2
  场景: 联合党支部覆盖的单位不能超过 5 个
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段          | 值       |
      | unit_name     | 东城片区 |
      | full_members  | 8        |
      | units_covered | 6        |
      | org_form      | branch   |
    当 "applicant" 执行 "submit"
    那么 操作被拒绝，提示包含 "联合党支部覆盖 6 个单位，超过上限 5 个"
    而且 当前状态为 "requested"

  @B1
  场景: 预备党员不计入正式党员人数
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段                 | 值     |
      | full_members         | 2      |
      | probationary_members | 6      |
      | org_form             | branch |
    当 "applicant" 执行 "submit"
    那么 操作被拒绝，提示包含 "不足 3 人"

  @B6 @H2 @C2 @C3
  场景: 上级逾期未批复，每满一个审批期限向上一级督办（街道党工委 → 区委 → 市委），督办后区委可以批复
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段          | 值     |
      | full_members  | 12     |
      | org_form      | branch |
    当 "applicant" 执行 "submit"
    # 3 月 2 日报送：审批期限 1 个月到 4 月 2 日；下一个期限接着从 4 月 3 日起算，到 5 月 2 日
    那么 期限最后一日为 "2026-04-02"
    当 当前时间是 "2026-04-02T23:59:00+08:00"
    而且 运行超期检查
    那么 实例未被督办
    当 当前时间是 "2026-04-03T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "under_review"
    而且 实例已督办至 "dongcheng"，上 1 级
    而且 期限最后一日为 "2026-05-02"
    当 当前时间是 "2026-05-02T23:59:00+08:00"
    而且 运行超期检查
    那么 实例已督办至 "dongcheng"，上 1 级
    当 当前时间是 "2026-05-03T00:00:00+08:00"
    而且 运行超期检查
    那么 实例已督办至 "xinghai"，上 2 级
    当 时间过去 "P1M"
    而且 运行超期检查
    那么 实例已督办至 "xinghai"，上 2 级
    当 "district_committee" 执行 "approve"
    那么 当前状态为 "approved"
    而且 实例未被督办

  @B6
  场景: 不予批准必须说明理由
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段          | 值     |
      | full_members  | 12     |
      | org_form      | branch |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "reject"
    那么 操作被拒绝，提示包含 "必须说明理由"
    当 "street_committee" 执行 "reject"，数据为：
      | 字段   | 值             |
      | reason | 单位尚未正式成立 |
    那么 当前状态为 "rejected"

  @B4
  场景大纲: 7 名正式党员起设支部委员会，不足 7 名只设书记
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段          | 值       |
      | full_members  | <党员数> |
      | org_form      | branch   |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "approve"，数据为：
      | 字段                     | 值         |
      | committee_seats_approved | <核定职数> |
    而且 "applicant" 执行 "elect"，数据为：
      | 字段               | 值         |
      | secretary_elected  | 李红       |
      | committee_size     | <委员人数> |
      | term_years_elected | 5          |
    那么 结果为 "<结果>"

    # 支部委员会一般 3 至 5 人；6 或 7 人须上级在批复中核定委员职数，任何情况下不超过 7 人
    例子:
      | 党员数 | 核定职数 | 委员人数 | 结果    |
      | 6      | 0        | 0        | elected |
      | 6      | 0        | 3        | 被拒绝  |
      | 7      | 0        | 0        | 被拒绝  |
      | 7      | 0        | 3        | elected |
      | 20     | 0        | 5        | elected |
      | 20     | 0        | 6        | 被拒绝  |
      | 20     | 6        | 6        | elected |
      | 20     | 6        | 7        | 被拒绝  |
      | 20     | 7        | 7        | elected |
      | 20     | 7        | 8        | 被拒绝  |
      | 20     | 0        | 2        | 被拒绝  |

  @B4
  场景: 上级批复核定的委员职数也不能超过 7 人
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值     |
      | full_members | 20     |
      | org_form     | branch |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "approve"，数据为：
      | 字段                     | 值 |
      | committee_seats_approved | 8  |
    那么 操作被拒绝，提示包含 "批复的委员职数 8 超过上限 7 人"
    而且 当前状态为 "under_review"

  @B4
  场景: 党员大会选举须填写当选书记
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值     |
      | full_members | 9      |
      | org_form     | branch |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "approve"
    而且 "applicant" 执行 "elect"，数据为：
      | 字段               | 值 |
      | committee_size     | 3  |
      | term_years_elected | 5  |
    那么 操作被拒绝，提示包含 "须填写当选书记"
    而且 当前状态为 "approved"

  @B6
  场景: 上级批复选举结果时须填写新党组织的编号和名称
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值     |
      | full_members | 9      |
      | org_form     | branch |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "approve"
    而且 "applicant" 执行 "elect"，数据为：
      | 字段               | 值   |
      | secretary_elected  | 李红 |
      | committee_size     | 3    |
      | term_years_elected | 5    |
    而且 "applicant" 执行 "file_results"
    而且 "street_committee" 执行 "confirm"，数据为：
      | 字段       | 值               |
      | new_org_id | dongcheng-hongqi |
    那么 操作被拒绝，提示包含 "须填写新党组织的编号和名称"
    而且 当前状态为 "results_filed"

  @B6
  场景: 完整流程，审计记录可校验
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段          | 值     |
      | full_members  | 9      |
      | org_form      | branch |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "approve"
    而且 "applicant" 执行 "elect"，数据为：
      | 字段              | 值   |
      | secretary_elected  | 李红 |
      | committee_size     | 3    |
      | term_years_elected | 5    |
    而且 "applicant" 执行 "file_results"
    而且 "street_committee" 执行 "confirm"，数据为：
      | 字段         | 值               |
      | new_org_id   | dongcheng-hongqi |
      | new_org_name | 红旗社区党支部   |
    那么 当前状态为 "established"
    而且 审计记录共 6 条，哈希链完整

  @B3
  场景大纲: 按正式党员人数确定组织形式；党委须满 100 人，不能特批
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值         |
      | full_members | <党员数>   |
      | org_form     | <组织形式> |
      | form_reason  | <理由>     |
    当 "applicant" 执行 "submit"
    那么 结果为 "<结果>"

    例子:
      | 党员数 | 组织形式        | 理由               | 结果         |
      | 49     | branch          |                    | under_review |
      | 50     | branch          |                    | 被拒绝       |
      | 50     | branch          | 党员集中在一个车间 | under_review |
      | 49     | general_branch  |                    | 被拒绝       |
      | 49     | general_branch  | 下设三个党小组     | under_review |
      | 50     | general_branch  |                    | under_review |
      | 99     | general_branch  |                    | under_review |
      | 100    | general_branch  |                    | 被拒绝       |
      | 100    | general_branch  | 工作需要           | 被拒绝       |
      | 99     | party_committee |                    | 被拒绝       |
      | 99     | party_committee | 工作需要           | 被拒绝       |
      | 100    | party_committee |                    | under_review |

  @B3
  场景大纲: 较小的党总支或较大的党支部，由上级在批复中特批；申请单位不能自行特批
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值             |
      | full_members | <党员数>       |
      | org_form     | <组织形式>     |
      | form_reason  | 下设三个党小组 |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "approve"，数据为：
      | 字段                    | 值     |
      | form_exception_approved | <特批> |
    那么 结果为 "<结果>"

    例子:
      | 党员数 | 组织形式       | 特批  | 结果     |
      | 49     | general_branch | false | 被拒绝   |
      | 49     | general_branch | true  | approved |
      | 60     | branch         | false | 被拒绝   |
      | 60     | branch         | true  | approved |
      | 60     | general_branch | false | approved |

  @B3
  场景: 特批只能由上级在批复中给出，发起时不能填写
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段                    | 值             |
      | full_members            | 49             |
      | org_form                | general_branch |
      | form_exception_approved | true           |
    那么 操作被拒绝，提示包含 "发起时不能填写此字段"

  @B5
  场景大纲: 村、社区党支部任期 5 年，其他党支部 3 年
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值         |
      | full_members | 9          |
      | org_form     | branch     |
      | unit_kind    | <单位类型> |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "approve"
    而且 "applicant" 执行 "elect"，数据为：
      | 字段               | 值     |
      | secretary_elected  | 李红   |
      | committee_size     | 3      |
      | term_years_elected | <任期> |
    那么 结果为 "<结果>"

    例子:
      | 单位类型  | 任期 | 结果    |
      | community | 5    | elected |
      | village   | 5    | elected |
      | village   | 3    | 被拒绝  |
      | other     | 3    | elected |
      | other     | 5    | 被拒绝  |

  @B7
  场景: 社区党支部由其直接上级街道党工委审批，区委未经逾期督办不能越级审批
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值     |
      | full_members | 9      |
      | org_form     | branch |
    当 "applicant" 执行 "submit"
    而且 "district_committee" 执行 "approve"
    那么 操作被拒绝，提示包含 "区委只在逾期督办后才能审批"
    当 "street_committee" 执行 "approve"
    那么 当前状态为 "approved"

  @H2
  场景: 区委未经逾期督办也不能越级不予批准
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值     |
      | full_members | 9      |
      | org_form     | branch |
    当 "applicant" 执行 "submit"
    而且 "district_committee" 执行 "reject"，数据为：
      | 字段   | 值               |
      | reason | 单位尚未正式成立 |
    那么 操作被拒绝，提示包含 "区委只在逾期督办后才能审批"
    而且 当前状态为 "under_review"
