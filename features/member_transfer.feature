# language: zh-CN
@member_transfer
功能: 党员组织关系转接
  党员申请，转出党支部审核后报转出地基层党委，党委审核同意并开具介绍信（有效期默认 30 天，
  最长 3 个月），党员在有效期内向接收党组织报到，接收地基层党委接收编入支部，1 个月内寄回回执，
  转出党委收到回执归档，转接完成。接收前仍由转出党组织管理；任何一方不予转接都必须说明理由。
  外出不足 6 个月或在流入地无稳定职业和固定住所的，持流动党员活动证参加流入地组织生活。

  背景:
    假如 当前时间是 "2026-03-02T09:00:00+00:00"
    # 组织体系取自 examples/hierarchy.csv：星光社区党委（xingguang）隶属东城街道党工委，
    # 新街北社区党支部（xinjie-north）隶属新街街道党工委。只写角色的步骤由该角色的当然办理人执行。
    # 党员只能为本人办理：member_id 是党员本人在办理系统中的编号。
    而且 发起时默认填写：
      | 字段          | 值           |
      | sending_org   | xingguang    |
      | receiving_org | xinjie-north |
      | member_id     | li.hong      |

  # -- T11 / T7: 完整流程 ---------------------------------------------------------------------

  @T11 @T7
  场景: 完整流程：申请、审核、开具介绍信、报到、接收、寄回回执、归档
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                   |
      | member_name            | 李红                 |
      | member_kind            | full_member          |
      | move_reason            | work_unit_changed    |
      | stable_job             | true                 |
      | fixed_residence        | true                 |
      | employer_has_party_org | true                 |
      | destination_kind       | employer_org         |
      | destination_org        | 星光科技有限公司党委 |
    当 "sending_branch" 执行 "submit"
    那么 当前状态为 "out_review"
    当 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段          | 值       |
      | letter_number | 2026-017 |
    那么 当前状态为 "letter_issued"
    当 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"
    那么 当前状态为 "accepted"
    当 "receiving_committee" 执行 "return_receipt"
    而且 "sending_committee" 执行 "complete"
    那么 当前状态为 "completed"
    而且 审计记录共 7 条，哈希链完整

  # -- T11: 权限 ----------------------------------------------------------------------------

  @T11
  场景: 只有转出方（基层党委，或县（区）委组织部）审核同意并开具介绍信，接收方和转出党支部都不能开具
    假如 "sending_branch" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    那么 "sending_committee" 可执行的步骤为 "issue_letter、reject"
    而且 "receiving_committee" 可执行的步骤为 "无"
    当 "receiving_committee" 执行 "issue_letter"
    那么 操作被拒绝，提示包含 "可执行的角色：转出地基层党委"
    当 "sending_branch" 执行 "issue_letter"
    那么 操作被拒绝，提示包含 "可执行的角色：转出地基层党委"
    而且 当前状态为 "out_review"

  @T11
  场景: 只有接收方（基层党委，或县（区）委组织部）接收党员，转出方不能代为接收
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    那么 "receiving_committee" 可执行的步骤为 "accept、reject"
    而且 "sending_committee" 可执行的步骤为 "无"
    当 "sending_committee" 执行 "accept"
    那么 操作被拒绝，提示包含 "可执行的角色：接收地基层党委"
    而且 当前状态为 "reported"

  @T11 @T4
  场景: 每个步骤只能填写属于它的字段，接收方不能借接收改动党员类别
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"，数据为：
      | 字段        | 值                  |
      | member_kind | probationary_member |
    那么 操作被拒绝，提示包含 "member_kind：步骤 accept 不接受此字段；可填写：probation_record_forwarded"
    而且 当前状态为 "reported"
    而且 审计记录共 4 条，哈希链完整

  # -- T11: 县（区）以外的转接；有审批预备党员权限的基层党委可直接在全国范围内转接 ---------------
  # 组织名单的 approves_probationary 列：东城街道党工委、新街街道党工委有审批预备党员的权限，
  # 和平里街道党工委没有。和平里一社区（hepingli-1）与星光社区同属东城区，新街北社区属西城区。

  @T11
  场景大纲: 无审批预备党员权限的基层党委只能在本县（区）内直接转出，转往县（区）外由县（区）委组织部开具介绍信
    假如 "sending_branch" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | sending_org            | hepingli-1        |
      | receiving_org          | <接收党组织>      |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "<开具方>" 执行 "issue_letter"
    那么 结果为 "<结果>"

    例子:
      | 接收党组织   | 开具方             | 结果          |
      | xingguang    | sending_committee  | letter_issued |
      | xinjie-north | sending_committee  | 被拒绝        |
      | xinjie-north | sending_department | letter_issued |
      | xingguang    | sending_department | letter_issued |

  @T11
  场景: 转往县（区）外，基层党委被拒绝时告知由哪个县（区）委组织部开具，组织部开具后照常报到
    假如 "sending_branch" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | sending_org            | hepingli-1        |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 操作被拒绝，提示包含 "由转出地县（区）委组织部（dongcheng）开具介绍信"
    当 "sending_department" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"
    那么 当前状态为 "accepted"

  @T11
  场景大纲: 无审批预备党员权限的基层党委只能接收本县（区）内转入的组织关系，县（区）外转入的由县（区）委组织部接收
    假如 "sending_branch" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | sending_org            | <转出党组织>      |
      | receiving_org          | hepingli-1        |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "<接收方>" 执行 "accept"
    那么 结果为 "<结果>"

    例子:
      | 转出党组织   | 接收方               | 结果     |
      | xingguang    | receiving_committee  | accepted |
      | xinjie-north | receiving_committee  | 被拒绝   |
      | xinjie-north | receiving_department | accepted |

  @T11
  场景: 县（区）外转入时，接收地基层党委被拒绝并被告知由本县（区）委组织部接收
    假如 "sending_branch" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | sending_org            | xinjie-north      |
      | receiving_org          | hepingli-1        |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"
    那么 操作被拒绝，提示包含 "由接收地县（区）委组织部（dongcheng）接收"
    而且 当前状态为 "reported"

  # -- T1: 须转接的情形 -----------------------------------------------------------------------

  @T1 @C6
  场景大纲: 外出学习工作生活 6 个月以上须转正式组织关系，不足 6 个月不转
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                   |
      | member_kind            | full_member          |
      | move_reason            | away_study_work_life |
      | away_for               | <外出时长>           |
      | stable_job             | true                 |
      | fixed_residence        | true                 |
      | employer_has_party_org | false                |
      | destination_kind       | community            |
    当 "sending_branch" 执行 "submit"
    那么 结果为 "<结果>"

    # 按日历比较（C6）：3 月 2 日报转，6 个月到 9 月 2 日，即 184 日；180 日不足 6 个月
    例子:
      | 外出时长 | 结果       |
      | P5M29D   | 被拒绝     |
      | P179D    | 被拒绝     |
      | P180D    | 被拒绝     |
      | P183D    | 被拒绝     |
      | P6M      | out_review |
      | P184D    | out_review |
      | P1Y      | out_review |

  @T1 @T10
  场景大纲: 外出 6 个月以上且稳定的必须转接，不能以流动党员活动证代替
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                   |
      | member_kind     | full_member          |
      | move_reason     | away_study_work_life |
      | away_for        | <外出时长>           |
      | stable_job      | true                 |
      | fixed_residence | true                 |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    那么 结果为 "<结果>"

    例子:
      | 外出时长 | 结果             |
      | P5M29D   | mobile_certified |
      | P6M      | 被拒绝           |

  @T1
  场景: 不足 6 个月的提示写明实际外出时长和起算标准
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                   |
      | member_kind            | full_member          |
      | move_reason            | away_study_work_life |
      | away_for               | P5M29D               |
      | stable_job             | true                 |
      | fixed_residence        | true                 |
      | employer_has_party_org | false                |
      | destination_kind       | community            |
    当 "sending_branch" 执行 "submit"
    那么 操作被拒绝，提示包含 "外出 P5M29D，不足 P6M：不转移正式组织关系，应办理流动党员活动证"

  @T1
  场景: 外出学习工作生活的必须填写外出时长
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                   |
      | member_kind            | full_member          |
      | move_reason            | away_study_work_life |
      | stable_job             | true                 |
      | fixed_residence        | true                 |
      | employer_has_party_org | false                |
      | destination_kind       | community            |
    当 "sending_branch" 执行 "submit"
    那么 操作被拒绝，提示包含 "须填写外出时长"
    当 "sending_branch" 执行 "issue_mobile_certificate"
    那么 操作被拒绝，提示包含 "须填写外出时长"

  # -- T2: 转往何处 ---------------------------------------------------------------------------

  @T2
  场景大纲: 单位建有党组织的转入单位党组织，否则转入居住地社区、人才服务机构、园区或楼宇党组织
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | work_unit_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | <单位有党组织>    |
      | destination_kind       | <接收党组织>      |
    当 "sending_branch" 执行 "submit"
    那么 结果为 "<结果>"

    例子:
      | 单位有党组织 | 接收党组织      | 结果       |
      | true         | employer_org    | out_review |
      | true         | community       | 被拒绝     |
      | true         | talent_service  | 被拒绝     |
      | false        | employer_org    | 被拒绝     |
      | false        | community       | out_review |
      | false        | talent_service  | out_review |
      | false        | park            | out_review |
      | false        | office_building | out_review |

  @T2
  场景: 开具介绍信时改填的接收党组织同样要符合规定
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | work_unit_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | true              |
      | destination_kind       | employer_org      |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段             | 值        |
      | destination_kind | community |
    那么 操作被拒绝，提示包含 "接收党组织类别 community 不符"
    而且 当前状态为 "out_review"

  # -- T3: 稳定职业和固定住所 -----------------------------------------------------------------

  @T3
  场景大纲: 在流入地有稳定职业和固定住所的转正式组织关系，否则不转
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | <稳定职业>        |
      | fixed_residence        | <固定住所>        |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    那么 结果为 "<结果>"

    例子:
      | 稳定职业 | 固定住所 | 结果       |
      | true     | true     | out_review |
      | true     | false    | 被拒绝     |
      | false    | true     | 被拒绝     |
      | false    | false    | 被拒绝     |

  @T3 @T10
  场景大纲: 无稳定职业和固定住所的按流动党员办理，有的不能按流动党员办理
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                |
      | member_kind     | full_member       |
      | move_reason     | residence_changed |
      | stable_job      | <稳定职业>        |
      | fixed_residence | <固定住所>        |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    那么 结果为 "<结果>"

    例子:
      | 稳定职业 | 固定住所 | 结果             |
      | true     | true     | 被拒绝           |
      | true     | false    | mobile_certified |
      | false    | true     | mobile_certified |
      | false    | false    | mobile_certified |

  @T3
  场景: 未说明是否有稳定职业的不能报转
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    那么 操作被拒绝，提示包含 "尚未提供在流入地有稳定职业（或学习单位）（stable_job）"

  @T3 @T10
  场景: 流动党员须先核实党员身份，再编入流入地党组织
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                |
      | member_kind     | full_member       |
      | move_reason     | residence_changed |
      | stable_job      | false             |
      | fixed_residence | false             |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    而且 "receiving_committee" 执行 "place_mobile"，数据为：
      | 字段                    | 值 |
      | mobile_members_together | 1  |
    那么 操作被拒绝，提示包含 "须先核实党员身份"
    当 "receiving_committee" 执行 "place_mobile"，数据为：
      | 字段                    | 值   |
      | membership_verified     | true |
      | mobile_members_together | 1    |
    那么 当前状态为 "mobile_placed"

  # -- T4: 不予转接须说明理由；接收前由转出党组织管理 ---------------------------------------------

  @T4
  场景: 转出方不予转出必须说明理由，空白不算理由
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "reject"
    那么 操作被拒绝，提示包含 "不予转接必须说明理由"
    当 "sending_committee" 执行 "reject"，数据为：
      | 字段             | 值    |
      | rejection_reason | "   " |
    那么 操作被拒绝，提示包含 "不予转接必须说明理由"
    当 "sending_committee" 执行 "reject"，数据为：
      | 字段             | 值                             |
      | rejection_reason | 党员正在接受党纪审查，暂缓转出 |
    那么 当前状态为 "rejected"

  @T4
  场景: 转出党支部在申请阶段不予转出，同样须说明理由
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段        | 值                |
      | member_kind | full_member       |
      | move_reason | residence_changed |
    当 "sending_branch" 执行 "reject"
    那么 操作被拒绝，提示包含 "不予转接必须说明理由"
    当 "sending_branch" 执行 "reject"，数据为：
      | 字段             | 值               |
      | rejection_reason | 党费未按规定交纳 |
    那么 当前状态为 "rejected"

  @T4
  场景: 接收方不予接收必须说明理由
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "reject"
    那么 操作被拒绝，提示包含 "不予转接必须说明理由"
    当 "receiving_committee" 执行 "reject"，数据为：
      | 字段             | 值                                 |
      | rejection_reason | 党员居住地不在本社区，应转所在社区 |
    那么 当前状态为 "rejected"

  @T4
  场景: 接收前党员可以撤回，接收后转出方和党员都不能再撤回或不予转出
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 "party_member" 可执行的步骤为 "withdraw、report"
    当 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"
    那么 "party_member" 可执行的步骤为 "无"
    当 "sending_committee" 执行 "reject"，数据为：
      | 字段             | 值       |
      | rejection_reason | 改变主意 |
    那么 操作被拒绝，提示包含 "不能执行 reject"
    而且 当前状态为 "accepted"

  @T4
  场景: 已开具介绍信、尚未报到时党员撤回申请
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "withdraw"，数据为：
      | 字段            | 值           |
      | withdraw_reason | 工作调动取消 |
    那么 当前状态为 "withdrawn"

  # -- T5: 介绍信有效期 ------------------------------------------------------------------------

  @T5 @C6
  场景大纲: 介绍信有效期开具时填写，最长 3 个月
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段             | 值       |
      | letter_valid_for | <有效期> |
    那么 结果为 "<结果>"

    # 按日历比较（C6）：3 月 2 日开具，3 个月到 6 月 2 日，即 92 日
    例子:
      | 有效期 | 结果          |
      | P10D   | letter_issued |
      | P30D   | letter_issued |
      | P90D   | letter_issued |
      | P92D   | letter_issued |
      | P3M    | letter_issued |
      | P93D   | 被拒绝        |
      | P3M1D  | 被拒绝        |
      | P6M    | 被拒绝        |

  @T6 @C1 @C3
  场景大纲: 有效期已过、超期检查尚未运行时报到，同样被拒绝，只能按逾期处理
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段             | 值   |
      | letter_valid_for | P10D |
    那么 期限最后一日为 "2026-03-12"
    当 当前时间是 "<报到时间>"
    而且 "party_member" 执行 "report"
    那么 结果为 "<结果>"

    # 3 月 2 日开具、有效期 10 天：3 月 3 日起算，3 月 12 日 24 时止（北京时间）
    例子:
      | 报到时间                  | 结果     |
      | 2026-03-12T23:59:00+08:00 | reported |
      | 2026-03-13T00:00:00+08:00 | 被拒绝   |

  @T6
  场景: 有效期内不能手工按逾期处理
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "sending_committee" 执行 "expire"
    那么 操作被拒绝，提示包含 "介绍信尚在有效期内"
    而且 当前状态为 "letter_issued"

  @T5
  场景: 超过最长有效期的提示写明填写值和上限
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段             | 值   |
      | letter_valid_for | P93D |
    那么 操作被拒绝，提示包含 "介绍信有效期 P93D 超过上限 P3M"

  @T5 @T6 @C1 @C3
  场景大纲: 未填写有效期的按 30 天计算，期内可以报到，期满即逾期
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "<检查时间>"
    而且 运行超期检查
    那么 当前状态为 "<状态>"

    # 3 月 2 日开具：3 月 3 日起算，第 30 日为 4 月 1 日，当日 24 时（北京时间）期满
    例子:
      | 检查时间                  | 状态          |
      | 2026-04-01T00:00:00+08:00 | letter_issued |
      | 2026-04-01T23:59:00+08:00 | letter_issued |
      | 2026-04-02T00:00:00+08:00 | expired       |

  @T5 @T6 @C1 @C3
  场景大纲: 介绍信按开具时填写的有效期逾期（市内 10 天）
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段             | 值   |
      | letter_valid_for | P10D |
    那么 期限最后一日为 "2026-03-12"
    当 当前时间是 "<检查时间>"
    而且 运行超期检查
    那么 当前状态为 "<状态>"

    # 3 月 2 日开具：最后一日 3 月 12 日
    例子:
      | 检查时间                  | 状态          |
      | 2026-03-12T23:59:00+08:00 | letter_issued |
      | 2026-03-13T00:00:00+08:00 | expired       |

  # -- T6: 逾期、重开、审查 --------------------------------------------------------------------

  @T6
  场景: 有效期满后报到，介绍信已逾期，不能报到
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 时间过去 "P31D"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "party_member" 执行 "report"
    那么 操作被拒绝，提示包含 "不能执行 report"
    而且 "sending_committee" 可执行的步骤为 "void_and_reissue、reissue_with_certificate、flag_for_review"

  @T6 @C1
  场景大纲: 经办人员责任逾期，作废重开，新介绍信从重开之日重新计算有效期
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 当前时间是 "2026-04-01T23:59:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "letter_issued"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 当前时间是 "2026-04-02T09:30:00+08:00"
    而且 "sending_committee" 执行 "void_and_reissue"，数据为：
      | 字段             | 值          |
      | expiry_cause     | handler     |
      | letter_number    | 2026-017-重 |
      | letter_valid_for | P30D        |
    那么 当前状态为 "letter_issued"
    而且 期限最后一日为 "2026-05-02"
    当 当前时间是 "<报到时间>"
    而且 运行超期检查
    而且 "party_member" 执行 "report"
    那么 结果为 "<结果>"

    # 原介绍信 3 月 2 日开具，4 月 1 日期满；4 月 2 日重开的，4 月 3 日起算，5 月 2 日期满
    例子:
      | 报到时间                  | 结果     |
      | 2026-05-02T23:59:00+08:00 | reported |
      | 2026-05-03T00:00:00+08:00 | 被拒绝   |

  @T6
  场景: 党员本人原因逾期且有正当理由，须写明理由并凭支部证明重开
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "sending_committee" 执行 "void_and_reissue"，数据为：
      | 字段         | 值     |
      | expiry_cause | member |
    那么 操作被拒绝，提示包含 "作废重开只适用于经办人员责任；本次逾期原因为 member"
    当 "sending_committee" 执行 "reissue_with_certificate"，数据为：
      | 字段         | 值       |
      | expiry_cause | member   |
      | valid_reason | true     |
      | delay_reason | 住院治疗 |
    那么 操作被拒绝，提示包含 "须有所在党支部出具的证明"
    当 "sending_committee" 执行 "reissue_with_certificate"，数据为：
      | 字段               | 值     |
      | expiry_cause       | member |
      | valid_reason       | true   |
      | branch_certificate | true   |
      | delay_reason       | "  "   |
    那么 操作被拒绝，提示包含 "须写明逾期理由"
    当 "sending_committee" 执行 "reissue_with_certificate"，数据为：
      | 字段               | 值       |
      | expiry_cause       | member   |
      | valid_reason       | true     |
      | branch_certificate | true     |
      | delay_reason       | 住院治疗 |
    那么 当前状态为 "letter_issued"

  @T6
  场景: 党员本人原因逾期且无正当理由，不能重开，提交审查
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "sending_committee" 执行 "reissue_with_certificate"，数据为：
      | 字段               | 值     |
      | expiry_cause       | member |
      | valid_reason       | false  |
      | delay_reason       | 忘记了 |
      | branch_certificate | true   |
    那么 操作被拒绝，提示包含 "无正当理由的应提交审查"
    当 "sending_committee" 执行 "flag_for_review"，数据为：
      | 字段         | 值     |
      | expiry_cause | member |
      | valid_reason | false  |
      | delay_reason | 忘记了 |
    那么 当前状态为 "flagged_for_review"

  @T6
  场景: 经办人员责任的逾期不提交审查
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "sending_committee" 执行 "flag_for_review"，数据为：
      | 字段         | 值      |
      | expiry_cause | handler |
    那么 操作被拒绝，提示包含 "只有党员本人原因且无正当理由的逾期才提交审查"
    而且 当前状态为 "expired"

  @T6
  场景大纲: 审查：脱离组织生活超过 6 个月的另案按自行脱党处理，未超过的审查后重开
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "sending_committee" 执行 "flag_for_review"，数据为：
      | 字段         | 值     |
      | expiry_cause | member |
    而且 "sending_committee" 执行 "<步骤>"，数据为：
      | 字段            | 值         |
      | out_of_org_life | <脱离时长> |
      | review_note     | 已批评教育 |
    那么 结果为 "<结果>"

    例子:
      | 脱离时长 | 步骤                 | 结果            |
      | P6M      | refer_lapsed         | 被拒绝          |
      | P6M      | reissue_after_review | letter_issued   |
      | P6M1D    | refer_lapsed         | lapsed_referred |
      | P6M1D    | reissue_after_review | 被拒绝          |

  # -- T7: 回执 -----------------------------------------------------------------------------

  @T7 @C1 @C2 @C3
  场景大纲: 接收后 1 个月内寄回回执，逾期督办
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"
    那么 期限最后一日为 "2026-04-02"
    当 当前时间是 "<检查时间>"
    而且 运行超期检查
    那么 当前状态为 "<状态>"

    # 3 月 2 日接收：1 个月到 4 月 2 日（对应日），当日 24 时（北京时间）期满；不是 30 天
    例子:
      | 检查时间                  | 状态            |
      | 2026-04-01T23:59:00+08:00 | accepted        |
      | 2026-04-02T23:59:00+08:00 | accepted        |
      | 2026-04-03T00:00:00+08:00 | receipt_overdue |

  @T7
  场景: 回执只在接收地和转出地基层党委之间传递，逾期后仍须寄回
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"
    那么 期限最后一日为 "2026-04-02"
    当 当前时间是 "2026-04-03T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "receipt_overdue"
    当 "party_member" 执行 "return_receipt"
    那么 操作被拒绝，提示包含 "可执行的角色：接收地基层党委"
    当 "sending_committee" 执行 "return_receipt"
    那么 操作被拒绝，提示包含 "可执行的角色：接收地基层党委"
    当 "receiving_committee" 执行 "return_receipt"
    那么 当前状态为 "receipt_returned"
    当 "receiving_committee" 执行 "complete"
    那么 操作被拒绝，提示包含 "可执行的角色：转出地基层党委"
    当 "sending_committee" 执行 "complete"
    那么 当前状态为 "completed"

  # -- T8: 预备党员 -------------------------------------------------------------------------

  @T8
  场景大纲: 预备期已满的须先讨论转正再转出，未满的不得提前转正
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                  |
      | member_kind            | probationary_member |
      | probation_end          | <预备期满>          |
      | move_reason            | residence_changed   |
      | stable_job             | true                |
      | fixed_residence        | true                |
      | employer_has_party_org | false               |
      | destination_kind       | community           |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段               | 值           |
      | conversion_decided | <已决定转正> |
    那么 结果为 "<结果>"

    例子:
      | 预备期满   | 已决定转正 | 结果          |
      | 2026-03-01 | false      | 被拒绝        |
      | 2026-03-02 | false      | 被拒绝        |
      | 2026-03-03 | false      | letter_issued |
      | 2026-03-03 | true       | 被拒绝        |
      | 2026-12-31 | false      | letter_issued |

  @T8
  场景: 预备期已满，转出党组织讨论转正后按正式党员转出
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                  |
      | member_kind            | probationary_member |
      | probation_end          | 2026-02-28          |
      | move_reason            | residence_changed   |
      | stable_job             | true                |
      | fixed_residence        | true                |
      | employer_has_party_org | false               |
      | destination_kind       | community           |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 操作被拒绝，提示包含 "预备党员预备期满日期 2026-02-28：已期满的须由转出党组织先讨论转正"
    当 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段               | 值          |
      | member_kind        | full_member |
      | conversion_decided | true        |
    那么 当前状态为 "letter_issued"

  @T8
  场景: 预备党员未填写预备期满日期的按已期满处理
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                  |
      | member_kind            | probationary_member |
      | move_reason            | residence_changed   |
      | stable_job             | true                |
      | fixed_residence        | true                |
      | employer_has_party_org | false               |
      | destination_kind       | community           |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 操作被拒绝，提示包含 "预备党员预备期满日期 1970-01-01"

  @T8
  场景: 预备党员材料须随转，由接收党组织讨论其转正
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                  |
      | member_kind            | probationary_member |
      | probation_end          | 2026-09-15          |
      | move_reason            | residence_changed   |
      | stable_job             | true                |
      | fixed_residence        | true                |
      | employer_has_party_org | false               |
      | destination_kind       | community           |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"
    那么 操作被拒绝，提示包含 "预备党员的材料须随转"
    当 "receiving_committee" 执行 "accept"，数据为：
      | 字段                       | 值   |
      | probation_record_forwarded | true |
    那么 当前状态为 "accepted"

  @T8 @T6
  场景: 介绍信逾期期间预备期届满的，重开前须先讨论转正
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                  |
      | member_kind            | probationary_member |
      | probation_end          | 2026-03-20          |
      | move_reason            | residence_changed   |
      | stable_job             | true                |
      | fixed_residence        | true                |
      | employer_has_party_org | false               |
      | destination_kind       | community           |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "sending_committee" 执行 "void_and_reissue"，数据为：
      | 字段         | 值      |
      | expiry_cause | handler |
    那么 操作被拒绝，提示包含 "已期满的须由转出党组织先讨论转正"
    而且 当前状态为 "expired"

  # -- T9: 入党积极分子 -----------------------------------------------------------------------

  @T9
  场景大纲: 入党积极分子的培养教育材料须转交，转接才能完成
    假如 "sending_branch" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | <类别>            |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"
    而且 "receiving_committee" 执行 "return_receipt"
    而且 "sending_committee" 执行 "complete"，数据为：
      | 字段                      | 值           |
      | training_record_forwarded | <材料已转交> |
    那么 结果为 "<结果>"

    例子:
      | 类别        | 材料已转交 | 结果      |
      | activist    | false      | 被拒绝    |
      | activist    | true       | completed |
      | full_member | false      | completed |

  @T9
  场景: 未转交培养教育材料的提示说明培养时间连续计算
    假如 "sending_branch" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | activist          |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    而且 "party_member" 执行 "report"
    而且 "receiving_committee" 执行 "accept"
    而且 "receiving_committee" 执行 "return_receipt"
    而且 "sending_committee" 执行 "complete"
    那么 操作被拒绝，提示包含 "培养时间连续计算"
    当 "sending_committee" 执行 "complete"，数据为：
      | 字段                      | 值   |
      | training_record_forwarded | true |
    那么 当前状态为 "completed"

  # -- T10: 流动党员 -------------------------------------------------------------------------

  @T10
  场景大纲: 同一流入地流动党员 3 人以上组成临时党支部，不足 3 人编入当地党组织
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                   |
      | member_kind     | full_member          |
      | move_reason     | away_study_work_life |
      | away_for        | P3M                  |
      | stable_job      | true                 |
      | fixed_residence | true                 |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    而且 "receiving_committee" 执行 "<步骤>"，数据为：
      | 字段                    | 值     |
      | membership_verified     | true   |
      | mobile_members_together | <人数> |
    那么 结果为 "<结果>"

    例子:
      | 人数 | 步骤                  | 结果             |
      | 1    | place_mobile          | mobile_placed    |
      | 2    | place_mobile          | mobile_placed    |
      | 2    | form_temporary_branch | 被拒绝           |
      | 3    | form_temporary_branch | temporary_branch |
      | 3    | place_mobile          | 被拒绝           |
      | 8    | form_temporary_branch | temporary_branch |

  @T10
  场景: 流动党员在流入地参加组织生活，但不参加表决、选举和被选举
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                   |
      | member_kind     | full_member          |
      | move_reason     | away_study_work_life |
      | away_for        | P2M                  |
      | stable_job      | false                |
      | fixed_residence | false                |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    而且 "receiving_committee" 执行 "place_mobile"，数据为：
      | 字段                    | 值   |
      | membership_verified     | true |
      | mobile_members_together | 1    |
      | votes_at_destination    | true |
    那么 操作被拒绝，提示包含 "不参加表决、选举和被选举"
    当 "receiving_committee" 执行 "place_mobile"，数据为：
      | 字段                    | 值    |
      | membership_verified     | true  |
      | mobile_members_together | 1     |
      | votes_at_destination    | false |
    那么 当前状态为 "mobile_placed"

  @T10
  场景: 入党积极分子不是党员，不发流动党员活动证
    假如 "sending_branch" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                   |
      | member_kind     | activist             |
      | move_reason     | away_study_work_life |
      | away_for        | P2M                  |
      | stable_job      | false                |
      | fixed_residence | false                |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    那么 操作被拒绝，提示包含 "入党积极分子不是党员"

  @T10 @T1 @C2 @C3
  场景大纲: 编入流入地党组织满 6 个月复核
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                |
      | member_kind     | full_member       |
      | move_reason     | residence_changed |
      | stable_job      | false             |
      | fixed_residence | false             |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    而且 "receiving_committee" 执行 "place_mobile"，数据为：
      | 字段                    | 值   |
      | membership_verified     | true |
      | mobile_members_together | 1    |
    那么 期限最后一日为 "2026-09-02"
    当 当前时间是 "<检查时间>"
    而且 运行超期检查
    那么 当前状态为 "<状态>"

    # 3 月 2 日编入：6 个月到 9 月 2 日，当日 24 时（北京时间）期满
    例子:
      | 检查时间                  | 状态          |
      | 2026-09-02T23:59:00+08:00 | mobile_placed |
      | 2026-09-03T00:00:00+08:00 | mobile_review |

  @T10
  场景大纲: 每年至少向原籍党组织报告一次，才能续用流动党员活动证
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                |
      | member_kind     | full_member       |
      | move_reason     | residence_changed |
      | stable_job      | false             |
      | fixed_residence | false             |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    而且 "receiving_committee" 执行 "form_temporary_branch"，数据为：
      | 字段                    | 值   |
      | membership_verified     | true |
      | mobile_members_together | 4    |
    那么 期限最后一日为 "2026-09-02"
    当 当前时间是 "2026-09-03T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "mobile_review"
    当 当前时间是 "<续用时间>"
    而且 "sending_committee" 执行 "renew_mobile"，数据为：
      | 字段             | 值         |
      | last_home_report | <最近报告> |
    那么 结果为 "<结果>"

    # 1 年从报告次日起算（C1–C3）：2025 年 9 月 3 日报告的，到 2026 年 9 月 3 日 24 时止
    例子:
      | 最近报告   | 续用时间                  | 结果             |
      | 2025-09-01 | 2026-09-03T00:00:00+08:00 | 被拒绝           |
      | 2025-09-02 | 2026-09-03T00:00:00+08:00 | 被拒绝           |
      | 2025-09-03 | 2026-09-03T00:00:00+08:00 | mobile_certified |
      | 2025-09-03 | 2026-09-03T10:00:00+08:00 | mobile_certified |
      | 2025-09-03 | 2026-09-03T23:59:00+08:00 | mobile_certified |
      | 2025-09-03 | 2026-09-04T00:00:00+08:00 | 被拒绝           |
      | 2026-06-30 | 2026-09-03T10:00:00+08:00 | mobile_certified |

  @T10 @T1 @T3
  场景: 复核时已有稳定职业和固定住所的，必须改为转移正式组织关系
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                |
      | member_kind     | full_member       |
      | move_reason     | residence_changed |
      | stable_job      | false             |
      | fixed_residence | false             |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    而且 "receiving_committee" 执行 "place_mobile"，数据为：
      | 字段                    | 值   |
      | membership_verified     | true |
      | mobile_members_together | 2    |
    那么 期限最后一日为 "2026-09-02"
    当 当前时间是 "2026-09-03T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "mobile_review"
    当 "sending_committee" 执行 "renew_mobile"，数据为：
      | 字段             | 值         |
      | last_home_report | 2026-08-01 |
      | stable_job       | true       |
      | fixed_residence  | true       |
    那么 操作被拒绝，提示包含 "应当转移正式组织关系，不能以流动党员活动证代替"
    当 "party_member" 执行 "convert_to_transfer"
    而且 "sending_branch" 执行 "submit"，数据为：
      | 字段                   | 值        |
      | stable_job             | true      |
      | fixed_residence        | true      |
      | employer_has_party_org | false     |
      | destination_kind       | community |
    那么 当前状态为 "out_review"

  @T10
  场景: 流动党员返回原籍，流动结束
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                   |
      | member_kind     | full_member          |
      | move_reason     | away_study_work_life |
      | away_for        | P4M                  |
      | stable_job      | true                 |
      | fixed_residence | false                |
    当 "sending_committee" 执行 "issue_mobile_certificate"
    而且 "receiving_committee" 执行 "place_mobile"，数据为：
      | 字段                    | 值   |
      | membership_verified     | true |
      | mobile_members_together | 1    |
    而且 "sending_committee" 执行 "end_mobile"
    那么 当前状态为 "mobile_ended"
    而且 审计记录共 4 条，哈希链完整

  # -- 重开介绍信、临时党支部：每个条件单独不满足时被拒绝 --------------------------------------

  @T5
  场景: 作废重开的介绍信同样最长 3 个月
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "sending_committee" 执行 "void_and_reissue"，数据为：
      | 字段             | 值          |
      | expiry_cause     | handler     |
      | letter_number    | 2026-017-重 |
      | letter_valid_for | P6M         |
    那么 操作被拒绝，提示包含 "介绍信有效期 P6M 超过上限 P3M"
    而且 当前状态为 "expired"

  @T5 @C6
  场景: 凭支部证明重开沿用原有效期，按重开之日计算超过 3 个月的，须改填有效期后重开
    # 2026 年 11 月 2 日开具、有效期 90 天（3 个月到 2027 年 2 月 2 日，即 92 日，未超过上限），
    # 2027 年 1 月 31 日期满；2 月 1 日重开时，3 个月到 5 月 1 日，只有 89 日，90 天超过上限
    假如 当前时间是 "2026-11-02T09:00:00+08:00"
    而且 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段             | 值   |
      | letter_valid_for | P90D |
    那么 期限最后一日为 "2027-01-31"
    当 当前时间是 "2027-02-01T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 当前时间是 "2027-02-01T09:00:00+08:00"
    而且 "sending_committee" 执行 "reissue_with_certificate"，数据为：
      | 字段               | 值       |
      | expiry_cause       | member   |
      | valid_reason       | true     |
      | branch_certificate | true     |
      | delay_reason       | 住院治疗 |
    那么 操作被拒绝，提示包含 "介绍信有效期 P90D 超过上限 P3M"
    而且 当前状态为 "expired"
    当 "sending_committee" 执行 "reissue_with_certificate"，数据为：
      | 字段               | 值       |
      | expiry_cause       | member   |
      | valid_reason       | true     |
      | branch_certificate | true     |
      | delay_reason       | 住院治疗 |
      | letter_valid_for   | P60D     |
      | letter_number      | 2027-003 |
    那么 当前状态为 "letter_issued"

  @T8
  场景: 介绍信逾期期间预备期届满的，凭支部证明重开前也须先讨论转正
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                  |
      | member_kind            | probationary_member |
      | probation_end          | 2026-03-20          |
      | move_reason            | residence_changed   |
      | stable_job             | true                |
      | fixed_residence        | true                |
      | employer_has_party_org | false               |
      | destination_kind       | community           |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "sending_committee" 执行 "reissue_with_certificate"，数据为：
      | 字段               | 值       |
      | expiry_cause       | member   |
      | valid_reason       | true     |
      | branch_certificate | true     |
      | delay_reason       | 住院治疗 |
    那么 操作被拒绝，提示包含 "预备党员预备期满日期 2026-03-20：已期满的须由转出党组织先讨论转正"
    而且 当前状态为 "expired"

  @T6
  场景: 审查后重开介绍信须写明审查意见
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "sending_committee" 执行 "flag_for_review"，数据为：
      | 字段         | 值     |
      | expiry_cause | member |
    而且 "sending_committee" 执行 "reissue_after_review"，数据为：
      | 字段            | 值  |
      | out_of_org_life | P1M |
    那么 操作被拒绝，提示包含 "须写明审查意见"
    而且 当前状态为 "flagged_for_review"

  @T5 @C6
  场景: 审查后重开沿用原有效期，按重开之日计算超过 3 个月的，须改填有效期后重开
    # 2026 年 11 月 2 日开具、有效期 90 天，2027 年 1 月 31 日期满；
    # 2 月 1 日审查后重开时，3 个月到 5 月 1 日，只有 89 日，90 天超过上限
    假如 当前时间是 "2026-11-02T09:00:00+08:00"
    而且 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_kind            | full_member       |
      | move_reason            | residence_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"，数据为：
      | 字段             | 值   |
      | letter_valid_for | P90D |
    那么 期限最后一日为 "2027-01-31"
    当 当前时间是 "2027-02-01T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 当前时间是 "2027-02-01T09:00:00+08:00"
    而且 "sending_committee" 执行 "flag_for_review"，数据为：
      | 字段         | 值     |
      | expiry_cause | member |
    而且 "sending_committee" 执行 "reissue_after_review"，数据为：
      | 字段            | 值         |
      | out_of_org_life | P1M        |
      | review_note     | 已批评教育 |
    那么 操作被拒绝，提示包含 "介绍信有效期 P90D 超过上限 P3M"
    而且 当前状态为 "flagged_for_review"
    当 "sending_committee" 执行 "reissue_after_review"，数据为：
      | 字段             | 值         |
      | out_of_org_life  | P1M        |
      | review_note      | 已批评教育 |
      | letter_valid_for | P60D       |
    那么 当前状态为 "letter_issued"

  @T8
  场景: 介绍信逾期期间预备期届满的，审查后重开前也须先讨论转正
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                  |
      | member_kind            | probationary_member |
      | probation_end          | 2026-03-20          |
      | move_reason            | residence_changed   |
      | stable_job             | true                |
      | fixed_residence        | true                |
      | employer_has_party_org | false               |
      | destination_kind       | community           |
    当 "sending_branch" 执行 "submit"
    而且 "sending_committee" 执行 "issue_letter"
    那么 期限最后一日为 "2026-04-01"
    当 当前时间是 "2026-04-02T00:00:00+08:00"
    而且 运行超期检查
    那么 当前状态为 "expired"
    当 "sending_committee" 执行 "flag_for_review"，数据为：
      | 字段         | 值     |
      | expiry_cause | member |
    而且 "sending_committee" 执行 "reissue_after_review"，数据为：
      | 字段            | 值         |
      | out_of_org_life | P1M        |
      | review_note     | 已批评教育 |
    那么 操作被拒绝，提示包含 "预备党员预备期满日期 2026-03-20：已期满的须由转出党组织先讨论转正"
    而且 当前状态为 "flagged_for_review"

  @T3 @T10
  场景: 组成流动党员临时党支部，同样须先核实党员身份
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段            | 值                   |
      | member_kind     | full_member          |
      | move_reason     | away_study_work_life |
      | away_for        | P3M                  |
      | stable_job      | true                 |
      | fixed_residence | true                 |
    当 "sending_branch" 执行 "issue_mobile_certificate"
    而且 "receiving_committee" 执行 "form_temporary_branch"，数据为：
      | 字段                    | 值 |
      | mobile_members_together | 3  |
    那么 操作被拒绝，提示包含 "须先核实党员身份"
    而且 当前状态为 "mobile_certified"
