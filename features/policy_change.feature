# language: zh-CN
@policy_change
功能: 规则变更前先看影响：改动门槛或期限，试算哪些在办实例会受影响，再按映射迁移
  政策人员修改 config/rules.yaml 中的数值时，先用影响报告看清哪些在办实例会受影响、
  如何受影响，确认后再把选定的实例迁移到新规则；每次迁移都记入审计记录。

  背景:
    假如 当前时间是 "2026-03-02T09:00:00+00:00"
    而且 发起时默认填写：
      | 字段       | 值               |
      | parent_org | dongcheng-street |
      | org_form   | branch           |

  @B2
  场景: 单独建立党支部的最少正式党员数由 3 人提高到 5 人，影响报告列出尚未报送的 3 人、4 人的请示
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值 |
      | full_members | 3  |
    而且 记下当前实例为 "三人请示"
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值 |
      | full_members | 4  |
    而且 记下当前实例为 "四人请示"
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值 |
      | full_members | 9  |
    而且 记下当前实例为 "九人请示"
    当 规则参数修改为：
      | 流程                 | 参数             | 新值 |
      | branch_establishment | min_full_members | 5    |
    而且 试算新规则的影响
    那么 影响报告列出 "三人请示"，影响为 "now_fails"
    而且 影响报告列出 "四人请示"，影响为 "now_fails"
    而且 影响报告不列出 "九人请示"

  @B6
  场景: 上级审批期限由 1 个月缩短为 10 天，已审批 12 天的请示会立即超期；迁移后按新期限计算并记入审计
    假如 "applicant" 发起流程 "branch_establishment"，数据为：
      | 字段         | 值 |
      | full_members | 9  |
    当 "applicant" 执行 "submit"
    而且 记下当前实例为 "审批中的请示"
    而且 时间过去 "P12D"
    而且 规则参数修改为：
      | 流程                 | 参数          | 新值 |
      | branch_establishment | review_within | P10D |
    而且 试算新规则的影响
    那么 影响报告列出 "审批中的请示"，影响为 "deadline_moved"
    而且 影响报告列出 "审批中的请示"，影响为 "overdue_at_once"
    当 按映射迁移到新规则：
      | 原状态 | 新状态 |
    那么 "审批中的请示" 的规则版本为 "2026.1+变更"
    而且 审计记录共 3 条，哈希链完整
    当 运行超期检查
    那么 实例已督办至 "dongcheng"，上 1 级
