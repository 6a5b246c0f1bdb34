# language: zh-CN
@hierarchy
功能: 组织体系：四级联动的责任链，以及按组织体系确定谁有权办理
  市委 → 区委 → 街道党工委 → 社区党组织，社区之下设网格。各级责任不同，一级抓一级：
  逾期的事项逐级向上督办。谁可以审批、接收，由实例涉及的组织在组织体系中的位置决定。
  组织体系取自 examples/hierarchy.csv（星海市：东城区、西城区）。

  背景:
    假如 当前时间是 "2026-03-02T09:00:00+00:00"

  # -- 组织名单的检查：每个问题都报告，并指出所在行 -------------------------------------------

  @H1 @H3
  场景: 规范的组织名单没有问题
    当 检查组织名单：
      | id   | name           | level     | parent | secretary |
      | city | 星海市委       | city      |        | 陈建国    |
      | d1   | 东城区委       | district  | city   | 李卫东    |
      | s1   | 东城街道党工委 | street    | d1     | 赵敏      |
      | c1   | 星光社区党委   | community | s1     | 吴晓梅    |
    那么 组织名单没有问题

  @H1
  场景: 上级不存在、编号重复、越级设置、层级颠倒，全部一次报告并指出行号
    当 检查组织名单：
      | id   | name           | level     | parent | secretary |
      | city | 星海市委       | city      |        | 陈建国    |
      | d1   | 东城区委       | district  | city   | 李卫东    |
      | s1   | 东城街道党工委 | street    | d1     | 赵敏      |
      | c1   | 星光社区党委   | community | s9     | 吴晓梅    |
      | s1   | 重复街道党工委 | street    | d1     | 孙立华    |
      | c2   | 朝阳社区党总支 | community | d1     | 郑国强    |
      | s2   | 新街街道党工委 | street    | city   | 周海燕    |
    那么 报告问题 "unknown_parent"，在第 5 行
    而且 报告问题 "duplicate_id"，在第 6 行
    而且 报告问题 "skipped_level"，在第 7 行
    而且 报告问题 "skipped_level"，在第 8 行

  @H1
  场景: 上下级循环、顶层不是市委，都会报告
    当 检查组织名单：
      | id   | name           | level     | parent | secretary |
      | d1   | 东城区委       | district  |        | 李卫东    |
      | s1   | 东城街道党工委 | street    | c1     | 赵敏      |
      | c1   | 星光社区党委   | community | s1     | 吴晓梅    |
    那么 报告问题 "root_not_top"，在第 2 行
    而且 报告问题 "cycle"，在第 3 行

  @H3
  场景: 书记空缺是责任链的缺口
    当 检查组织名单：
      | id   | name           | level     | parent | secretary |
      | city | 星海市委       | city      |        | 陈建国    |
      | d1   | 东城区委       | district  | city   |           |
      | s1   | 东城街道党工委 | street    | d1     | 赵敏      |
    那么 报告问题 "missing_secretary"，在第 3 行
    而且 共报告 1 个问题

  @H4
  场景: 每个网格恰好一名网格长、至少一名网格员
    当 检查组织名单：
      | id   | name           | level     | parent | secretary | leader | workers   |
      | city | 星海市委       | city      |        | 陈建国    |        |           |
      | d1   | 东城区委       | district  | city   | 李卫东    |        |           |
      | s1   | 东城街道党工委 | street    | d1     | 赵敏      |        |           |
      | c1   | 星光社区党委   | community | s1     | 吴晓梅    |        |           |
      | g1   | 第一网格       | grid      | c1     |           | 刘芳   | 张伟;陈静 |
      | g2   | 第二网格       | grid      | c1     |           |        | 林涛      |
      | g3   | 第三网格       | grid      | c1     |           | 马强   |           |
    那么 报告问题 "grid_leader"，在第 7 行
    而且 报告问题 "grid_workers"，在第 8 行
    而且 共报告 2 个问题

  @H5
  场景: 驻区单位党组织向社区党组织报到（双报到），报到对象须是社区党组织
    当 检查组织名单：
      | id    | name             | level     | parent | secretary | registers_with |
      | city  | 星海市委         | city      |        | 陈建国    |                |
      | d1    | 东城区委         | district  | city   | 李卫东    |                |
      | s1    | 东城街道党工委   | street    | d1     | 赵敏      |                |
      | c1    | 星光社区党委     | community | s1     | 吴晓梅    |                |
      | unit1 | 星光小学党支部   | community | s1     | 钱进      | c1             |
      | unit2 | 东城医院党总支   | community | s1     | 孔亮      | s1             |
      | unit3 | 星海银行党支部   | community | s1     | 严冬      | c9             |
    那么 报告问题 "registration_level"，在第 7 行
    而且 报告问题 "unknown_registration"，在第 8 行
    而且 共报告 2 个问题

  # -- 责任链 --------------------------------------------------------------------------------

  @H2 @H7
  场景: 社区的责任链逐级向上，各级责任取自规则文件
    那么 "xingguang" 的责任链为 "星光社区党委（落实责任） → 东城街道党工委（直接责任） → 东城区委（第一责任） → 星海市委（主体责任）"

  # -- 按组织体系确定谁有权办理 -------------------------------------------------------------

  @T11 @H1
  场景: 只有转出党组织的上级党委可以开具介绍信，其他街道的党工委被拒绝并被告知谁有权办理
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_id              | li.hong           |
      | sending_org            | xingguang         |
      | receiving_org          | xinjie-north      |
      | member_kind            | full_member       |
      | move_reason            | work_unit_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "吴晓梅" 代表 "xingguang" 以 "sending_branch" 身份执行 "submit"
    那么 当前状态为 "out_review"
    当 "周海燕" 代表 "xinjie-street" 以 "sending_committee" 身份执行 "issue_letter"
    那么 操作被拒绝，提示包含 "只有东城街道党工委（dongcheng-street）可以以 转出地基层党委"
    当 "赵敏" 代表 "dongcheng-street" 以 "sending_committee" 身份执行 "issue_letter"
    那么 当前状态为 "letter_issued"

  @T11
  场景: 转出党支部的审核只能由其书记本人办理
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_id              | li.hong           |
      | sending_org            | xingguang         |
      | member_kind            | full_member       |
      | move_reason            | work_unit_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "张伟" 代表 "xingguang" 以 "sending_branch" 身份执行 "submit"
    那么 操作被拒绝，提示包含 "只有星光社区党委（xingguang）书记本人"
    当 "吴晓梅" 代表 "xingguang" 以 "sending_branch" 身份执行 "submit"
    那么 当前状态为 "out_review"

  @T11
  场景: 不能在数据中改填组织来冒充有权办理的一方
    假如 "party_member" 发起流程 "member_transfer"，数据为：
      | 字段                   | 值                |
      | member_id              | li.hong           |
      | sending_org            | xingguang         |
      | member_kind            | full_member       |
      | move_reason            | work_unit_changed |
      | stable_job             | true              |
      | fixed_residence        | true              |
      | employer_has_party_org | false             |
      | destination_kind       | community         |
    当 "何志明" 代表 "xinjie-north" 以 "sending_branch" 身份执行 "submit"，数据为：
      | 字段        | 值           |
      | sending_org | xinjie-north |
    那么 操作被拒绝，提示包含 "只有星光社区党委（xingguang）书记本人"
    当 "吴晓梅" 代表 "xingguang" 以 "sending_branch" 身份执行 "submit"，数据为：
      | 字段        | 值           |
      | sending_org | xinjie-north |
    那么 操作被拒绝，提示包含 "sending_org：步骤 submit 不接受此字段"
    而且 当前状态为 "applied"
    而且 审计记录共 1 条，哈希链完整

  @T11
  场景: 组织体系中没有的组织不能填写，发起被拒绝
    当 "party_member" 尝试发起流程 "member_transfer"，数据为：
      | 字段        | 值           |
      | sending_org | no-such-org  |
    那么 操作被拒绝，提示包含 "组织体系中没有编号为 no-such-org 的组织"

  @B6 @H1
  场景: 成立党支部由其直接上级审批，其他街道党工委被拒绝
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值               |
      | parent_org   | dongcheng-street |
      | full_members | 9                |
      | org_form     | branch           |
    当 "applicant" 执行 "submit"
    而且 "孙立华" 代表 "hepingli-street" 以 "street_committee" 身份执行 "approve"
    那么 操作被拒绝，提示包含 "只有东城街道党工委（dongcheng-street）可以"
    当 "赵敏" 代表 "dongcheng-street" 以 "street_committee" 身份执行 "approve"
    那么 当前状态为 "approved"

  @B6 @H1
  场景: 党支部成立后加入组织体系，隶属审批它的街道党工委，并有自己的责任链
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值               |
      | parent_org   | dongcheng-street |
      | full_members | 9                |
      | org_form     | branch           |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "approve"
    而且 "applicant" 执行 "elect"，数据为：
      | 字段               | 值     |
      | secretary_elected  | 李红   |
      | committee_size     | 3      |
      | term_years_elected | 5      |
    而且 "applicant" 执行 "file_results"
    而且 "street_committee" 执行 "confirm"，数据为：
      | 字段         | 值             |
      | new_org_id   | dc-hongqi      |
      | new_org_name | 红旗社区党支部 |
    那么 当前状态为 "established"
    而且 组织体系中有 "dc-hongqi"，上级为 "dongcheng-street"，层级为 "community"
    而且 "dc-hongqi" 的责任链为 "红旗社区党支部（落实责任） → 东城街道党工委（直接责任） → 东城区委（第一责任） → 星海市委（主体责任）"

  @B6
  场景: 新党组织的编号已被占用时不能成立，什么也不写入
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值               |
      | parent_org   | dongcheng-street |
      | full_members | 9                |
      | org_form     | branch           |
    当 "applicant" 执行 "submit"
    而且 "street_committee" 执行 "approve"
    而且 "applicant" 执行 "elect"，数据为：
      | 字段               | 值     |
      | secretary_elected  | 李红   |
      | committee_size     | 3      |
      | term_years_elected | 5      |
    而且 "applicant" 执行 "file_results"
    而且 "street_committee" 执行 "confirm"，数据为：
      | 字段         | 值           |
      | new_org_id   | chaoyang     |
      | new_org_name | 又一个党支部 |
    那么 操作被拒绝，提示包含 "组织编号 chaoyang 已被使用"
    而且 当前状态为 "results_filed"
    而且 审计记录共 5 条，哈希链完整

  @E8 @E11
  场景: 换届请示只能由召开选举的党组织的直接上级批准，其他街道党工委被拒绝
    假如 "election_organizer" 发起流程 "two_recommendation_election"，数据为：
      | 字段         | 值             |
      | org_name     | 朝阳社区党总支 |
      | electing_org | chaoyang       |
      | term_ends    | 2026-10-01     |
    当 "郑国强" 代表 "xingguang" 以 "election_organizer" 身份执行 "request_election"，数据为：
      | 字段          | 值         |
      | election_date | 2026-09-25 |
    那么 操作被拒绝，提示包含 "只有朝阳社区党总支（chaoyang）可以"
    当 "郑国强" 代表 "chaoyang" 以 "election_organizer" 身份执行 "request_election"，数据为：
      | 字段          | 值         |
      | election_date | 2026-09-25 |
    而且 "孙立华" 代表 "hepingli-street" 以 "street_committee" 身份执行 "approve_election"
    那么 操作被拒绝，提示包含 "只有东城街道党工委（dongcheng-street）可以"
    当 "赵敏" 代表 "dongcheng-street" 以 "street_committee" 身份执行 "approve_election"
    那么 当前状态为 "approved_for_election"
