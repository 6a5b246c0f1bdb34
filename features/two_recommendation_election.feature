# language: zh-CN
@two_recommendation_election
功能: 两推一选换届选举
  上级批准换届后，党员推荐（党员大会无记名投票）和群众推荐（村民或居民代表推荐）产生人选，
  党组织据此提出差额候选人名单，报乡镇（街道）党（工）委审查批准，再由党员大会选举新一届委员会，
  选举结果报上级批准。选举本身与两票制相同：只有正式党员有选举权和被选举权，到会须超过应到会
  人数的 4/5，赞成票超过到会人数的一半才能当选。

  背景:
    假如 当前时间是 "2026-09-01T09:00:00+00:00"
    而且 "election_organizer" 发起流程 "two_recommendation_election"，数据为：
      | 字段               | 值             |
      | org_name           | 幸福社区党支部 |
      | electing_org       | xingguang    |
      | term_ends          | 2026-10-01     |
      | ineligible_members | [钱进, 孙立]   |

  规则: 按期换届，延期不超过 1 年

    @E8
    场景大纲: 延期或提前换届不超过 1 年，须说明理由
      当 "election_organizer" 执行 "request_election"，数据为：
        | 字段          | 值                     |
        | election_date | <拟选举日期>           |
        | reason        | <理由>                 |
      那么 结果为 "<结果>"

      例子:
        | 拟选举日期 | 理由                   | 结果               |
        | 2027-10-01 | 社区规划调整，合并换届 | election_requested |
        | 2027-10-02 | 社区规划调整，合并换届 | 被拒绝             |
        | 2026-10-02 | ""                     | 被拒绝             |
        | 2026-10-01 | ""                     | election_requested |
        | 2025-09-30 | 社区规划调整，合并换届 | 被拒绝             |

    @E8
    场景: 逾期未报换届请示，上报上级督办，上级批准后开始两推
      当 时间过去 "P1M1D"
      而且 运行超期检查
      那么 当前状态为 "reelection_overdue"
      当 依次执行以下步骤：
        | 角色               | 步骤             | 数据                                                        |
        | election_organizer | request_election | {election_date: 2026-10-15, reason: 逾期未报，经督办后召开} |
        | street_committee   | approve_election |                                                             |
      那么 当前状态为 "approved_for_election"

    @E8
    场景: 上级退回换届请示必须说明理由，退回后重新报送
      当 "election_organizer" 执行 "request_election"，数据为：
        | 字段          | 值         |
        | election_date | 2026-09-25 |
      而且 "street_committee" 执行 "reject_election"
      那么 操作被拒绝，提示包含 "退回换届请示必须说明理由"
      当 "street_committee" 执行 "reject_election"，数据为：
        | 字段                      | 值    |
        | election_rejection_reason | "   " |
      那么 操作被拒绝，提示包含 "退回换届请示必须说明理由"
      而且 当前状态为 "election_requested"
      当 "street_committee" 执行 "reject_election"，数据为：
        | 字段                      | 值                         |
        | election_rejection_reason | 候选人酝酿不充分，暂缓换届 |
      那么 当前状态为 "reelection_due"
      而且 审计记录共 3 条，哈希链完整
      当 依次执行以下步骤：
        | 角色               | 步骤             | 数据                        |
        | election_organizer | request_election | {election_date: 2026-09-28} |
        | street_committee   | approve_election |                             |
      那么 当前状态为 "approved_for_election"

  规则: 党员推荐和群众推荐，候选人名单报乡镇（街道）党（工）委审查批准

    背景:
      假如 依次执行以下步骤：
        | 角色               | 步骤             | 数据                        |
        | election_organizer | request_election | {election_date: 2026-09-25} |
        | street_committee   | approve_election |                             |

    @E10
    场景: 党员推荐须在党员大会上以无记名投票进行
      当 "election_organizer" 执行 "record_party_recommendation"，数据为：
        | 字段                        | 值                       |
        | party_recommended           | [李红, 王强, 张伟, 赵敏] |
        | party_recommendation_secret | false                    |
      那么 操作被拒绝，提示包含 "党员推荐须在党员大会上以无记名投票进行"
      当 "election_organizer" 执行 "record_party_recommendation"，数据为：
        | 字段                        | 值                       |
        | party_recommended           | [李红, 王强, 张伟, 赵敏] |
        | party_recommendation_secret | true                     |
      那么 当前状态为 "approved_for_election"

    @E10
    场景: 没有群众推荐不能提出候选人名单
      假如 依次执行以下步骤：
        | 角色               | 步骤                        | 数据                                                                      |
        | election_organizer | record_party_recommendation | {party_recommended: [李红, 王强, 张伟, 赵敏], party_recommendation_secret: true} |
      当 "election_organizer" 执行 "propose_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [李红, 王强, 张伟, 赵敏] |
        | seats      | 3                        |
      那么 操作被拒绝，提示包含 "尚未提供群众推荐"

    @E10
    场景: 候选人须从两推产生的人选中提出
      假如 依次执行以下步骤：
        | 角色               | 步骤                         | 数据                                                                      |
        | election_organizer | record_public_recommendation | {public_recommended: [李红, 张伟, 周明]}                                   |
        | election_organizer | record_party_recommendation  | {party_recommended: [李红, 王强, 张伟, 赵敏], party_recommendation_secret: true} |
      当 "election_organizer" 执行 "propose_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [李红, 王强, 张伟, 吴刚] |
        | seats      | 3                        |
      那么 操作被拒绝，提示包含 "候选人须从两推人选中产生"
      当 "election_organizer" 执行 "propose_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [李红, 王强, 张伟, 周明] |
        | seats      | 3                        |
      那么 当前状态为 "slate_under_review"

    @E1
    场景: 预备党员和受留党察看处分的党员不能被推荐
      当 "election_organizer" 执行 "record_public_recommendation"，数据为：
        | 字段               | 值                 |
        | public_recommended | [李红, 钱进, 周明] |
      那么 操作被拒绝，提示包含 "推荐人选须为有被选举权的正式党员"

    @E10
    场景大纲: 党员推荐须登记产生的人选，且姓名不重复
      当 "election_organizer" 执行 "record_party_recommendation"，数据为：
        | 字段                        | 值     |
        | party_recommended           | <人选> |
        | party_recommendation_secret | true   |
      那么 操作被拒绝，提示包含 "须登记党员推荐产生的人选（不重复）；登记的是 <登记>"
      而且 当前状态为 "approved_for_election"

      例子:
        | 人选               | 登记                     |
        | []                 | []                       |
        | [李红, 王强, 李红] | ['李红', '王强', '李红'] |

    @E1
    场景: 党员推荐的人选也须为有被选举权的正式党员
      当 "election_organizer" 执行 "record_party_recommendation"，数据为：
        | 字段                        | 值                 |
        | party_recommended           | [李红, 王强, 孙立] |
        | party_recommendation_secret | true               |
      那么 操作被拒绝，提示包含 "推荐人选须为有被选举权的正式党员，['李红', '王强', '孙立'] 中有预备党员或受留党察看处分的党员（['钱进', '孙立']）"
      而且 当前状态为 "approved_for_election"

    @E10
    场景大纲: 群众推荐须登记产生的人选，且姓名不重复
      当 "election_organizer" 执行 "record_public_recommendation"，数据为：
        | 字段               | 值     |
        | public_recommended | <人选> |
      那么 操作被拒绝，提示包含 "须登记群众推荐产生的人选（不重复）；登记的是 <登记>"
      而且 当前状态为 "approved_for_election"

      例子:
        | 人选               | 登记                     |
        | []                 | []                       |
        | [李红, 周明, 周明] | ['李红', '周明', '周明'] |

    @E1
    场景: 预备党员和受留党察看处分的党员不能列为候选人
      假如 依次执行以下步骤：
        | 角色               | 步骤                         | 数据                                                                      |
        | election_organizer | record_party_recommendation  | {party_recommended: [李红, 王强, 张伟, 赵敏], party_recommendation_secret: true} |
        | election_organizer | record_public_recommendation | {public_recommended: [李红, 王强, 周明]}                                   |
      当 "election_organizer" 执行 "propose_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [李红, 王强, 张伟, 钱进] |
        | seats      | 3                        |
      那么 操作被拒绝，提示包含 "候选人须为有被选举权的正式党员，['李红', '王强', '张伟', '钱进'] 中有预备党员或受留党察看处分的党员"
      而且 当前状态为 "approved_for_election"

    @E3 @E10
    场景大纲: 候选人名单实行差额，多出的人数不少于应选名额的 1/5
      假如 依次执行以下步骤：
        | 角色               | 步骤                         | 数据                                                                                  |
        | election_organizer | record_party_recommendation  | {party_recommended: [李红, 王强, 张伟, 赵敏, 周明, 吴刚], party_recommendation_secret: true} |
        | election_organizer | record_public_recommendation | {public_recommended: [李红, 王强, 周明]}                                               |
      当 "election_organizer" 执行 "propose_slate"，数据为：
        | 字段       | 值       |
        | candidates | <候选人> |
        | seats      | <应选>   |
      那么 结果为 "<结果>"

      例子:
        | 应选 | 候选人                               | 结果               |
        | 3    | [李红, 王强, 张伟]                   | 被拒绝             |
        | 3    | [李红, 王强, 张伟, 赵敏]             | slate_under_review |
        | 3    | [李红, 王强, 张伟, 张伟]             | 被拒绝             |
        | 5    | [李红, 王强, 张伟, 赵敏, 周明]       | 被拒绝             |
        | 5    | [李红, 王强, 张伟, 赵敏, 周明, 吴刚] | slate_under_review |

    @E10
    场景: 乡镇（街道）党（工）委审查候选人名单，退回须说明理由
      假如 依次执行以下步骤：
        | 角色               | 步骤                         | 数据                                                                      |
        | election_organizer | record_party_recommendation  | {party_recommended: [李红, 王强, 张伟, 赵敏], party_recommendation_secret: true} |
        | election_organizer | record_public_recommendation | {public_recommended: [李红, 王强, 周明]}                                   |
        | election_organizer | propose_slate                | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3}                          |
      当 "election_organizer" 执行 "approve_slate"
      那么 操作被拒绝，提示包含 "街道党工委"
      当 "street_committee" 执行 "reject_slate"
      那么 操作被拒绝，提示包含 "退回候选人名单必须说明理由"
      当 "street_committee" 执行 "reject_slate"，数据为：
        | 字段                   | 值                     |
        | slate_rejection_reason | 赵敏近期受到党内警告处分 |
      那么 当前状态为 "approved_for_election"
      当 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                             |
        | election_organizer | propose_slate | {candidates: [李红, 王强, 张伟, 周明], seats: 3} |
        | street_committee   | approve_slate |                                                  |
      那么 当前状态为 "slate_approved"

  规则: 党员大会选举：到会超过 4/5，选票不多于到会人数，赞成票超过到会人数一半

    背景:
      假如 依次执行以下步骤：
        | 角色               | 步骤                         | 数据                                                                      |
        | election_organizer | request_election             | {election_date: 2026-09-25}                                               |
        | street_committee   | approve_election             |                                                                           |
        | election_organizer | record_party_recommendation  | {party_recommended: [李红, 王强, 张伟, 赵敏], party_recommendation_secret: true} |
        | election_organizer | record_public_recommendation | {public_recommended: [李红, 王强, 周明]}                                   |
        | election_organizer | propose_slate                | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3}                          |
        | street_committee   | approve_slate                |                                                                           |

    @E2
    场景大纲: 到会有选举权的党员须超过应到会人数的 4/5（不含本数）
      当 "election_organizer" 执行 "open_meeting"，数据为：
        | 字段         | 值     |
        | full_members | 40     |
        | present      | <到会> |
      那么 结果为 "<结果>"

      例子:
        | 到会 | 结果   |
        | 32   | 被拒绝 |
        | 33   | voting |

    @E1
    场景大纲: 预备党员和受留党察看处分的党员没有选举权，不计入应到会人数
      当 "election_organizer" 执行 "open_meeting"，数据为：
        | 字段                 | 值     |
        | full_members         | 40     |
        | suspended_members    | 2      |
        | probationary_members | 6      |
        | present              | <到会> |
      那么 结果为 "<结果>"

      例子:
        | 到会 | 结果   |
        | 31   | voting |
        | 30   | 被拒绝 |
        | 39   | 被拒绝 |

    @E1
    场景: 应到会人数不计受留党察看处分的党员，提示写明各项人数
      当 "election_organizer" 执行 "open_meeting"，数据为：
        | 字段                 | 值 |
        | full_members         | 40 |
        | suspended_members    | 2  |
        | probationary_members | 6  |
        | present              | 30 |
      那么 操作被拒绝，提示包含 "到会有选举权的党员 30 人，未超过应到会人数（正式党员 40 人减受留党察看 2 人）的 4/5"

    @E1
    场景: 受留党察看处分的党员计入正式党员人数，不能多于正式党员
      当 "election_organizer" 执行 "open_meeting"，数据为：
        | 字段              | 值 |
        | full_members      | 40 |
        | suspended_members | 41 |
        | present           | 33 |
      那么 操作被拒绝，提示包含 "受留党察看处分的党员 41 人，多于正式党员 40 人"
      而且 当前状态为 "slate_approved"

    @E4 @E7
    场景: 选票多于到会人数作废重投，不得委托投票
      假如 依次执行以下步骤：
        | 角色               | 步骤         | 数据                           |
        | election_organizer | open_meeting | {full_members: 10, present: 9} |
      当 "scrutineer" 执行 "void_ballots"，数据为：
        | 字段             | 值 |
        | ballots_returned | 10 |
      那么 当前状态为 "voting"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2, 2] |
        | proxy_votes      | 2                           |
        | counted_names    | [李红, 王强, 张伟, 赵敏]    |
        | counted_votes    | [9, 8, 5, 3]                |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强, 张伟]          |
      那么 操作被拒绝，提示包含 "不得委托他人投票，登记委托投票 2 张，应为 0"

    @E4
    场景大纲: 收回选票多于到会人数的不能计票，须逐张登记选票，得票数须与有效选票相符
      假如 依次执行以下步骤：
        | 角色               | 步骤         | 数据                           |
        | election_organizer | open_meeting | {full_members: 10, present: 9} |
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                       |
        | ballots_returned | <收回选票>               |
        | ballot_marks     | <各张所选人数>           |
        | proxy_votes      | 0                        |
        | counted_names    | [李红, 王强, 张伟, 赵敏] |
        | counted_votes    | <得票>                   |
        | round_seats      | 3                        |
        | elected_members  | [李红, 王强, 张伟]       |
      那么 操作被拒绝，提示包含 "<提示>"
      而且 当前状态为 "voting"

      例子:
        | 收回选票 | 各张所选人数                   | 得票         | 提示                                                                             |
        | 10       | [3, 3, 3, 3, 3, 3, 3, 3, 2, 2] | [9, 8, 6, 5] | 收回选票 10 张，多于到会 9 人，本次投票无效，应宣布作废（void_ballots）并重新投票 |
        | 9        | [3, 3, 3, 3, 3, 3, 3, 2]       | [8, 8, 5, 2] | 须逐张登记收回的 9 张选票各选了几人；登记的是 [3, 3, 3, 3, 3, 3, 3, 2]           |
        | 9        | [4, 3, 3, 3, 3, 3, 3, 2, 2]    | [9, 8, 5, 4] | 得票数 [9, 8, 5, 4] 与选票不符，所选人数多于本轮应选 3 名的选票无效、不计票       |

    @E4
    场景: 收回选票不多于到会人数的投票有效，不能宣布作废
      假如 依次执行以下步骤：
        | 角色               | 步骤         | 数据                           |
        | election_organizer | open_meeting | {full_members: 10, present: 9} |
      当 "scrutineer" 执行 "void_ballots"，数据为：
        | 字段             | 值 |
        | ballots_returned | 9  |
      那么 操作被拒绝，提示包含 "收回选票 9 张，不多于到会 9 人，投票有效，不能宣布作废，应计票（count_ballots）"
      而且 当前状态为 "voting"

    @E6
    场景: 第一轮的本轮应选名额即为应选名额
      假如 依次执行以下步骤：
        | 角色               | 步骤         | 数据                           |
        | election_organizer | open_meeting | {full_members: 10, present: 9} |
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [2, 2, 2, 2, 2, 2, 2, 2, 2] |
        | proxy_votes      | 0                           |
        | counted_names    | [李红, 王强, 张伟, 赵敏]    |
        | counted_votes    | [9, 8, 1, 0]                |
        | round_seats      | 2                           |
        | elected_members  | [李红, 王强]                |
      那么 操作被拒绝，提示包含 "本轮应选名额应为应选 3 名减去此前已当选的 []；填写的是 2"
      而且 当前状态为 "voting"

    @E5
    场景大纲: 得票人与得票数须一一对应，当选名单须与计票结果相符
      假如 依次执行以下步骤：
        | 角色               | 步骤         | 数据                           |
        | election_organizer | open_meeting | {full_members: 10, present: 9} |
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2, 2] |
        | proxy_votes      | 0                           |
        | counted_names    | <得票人>                    |
        | counted_votes    | <得票>                      |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强, 张伟]          |
      那么 操作被拒绝，提示包含 "<提示>"
      而且 当前状态为 "voting"

      例子:
        | 得票人                   | 得票         | 提示                                                                                                        |
        | [李红, 王强, 张伟, 赵敏] | [9, 8, 8]    | 得票人 ['李红', '王强', '张伟', '赵敏'] 与得票数 [9, 8, 8] 须一一对应，且姓名不重复                                  |
        | [李红, 王强, 张伟, 张伟] | [9, 8, 5, 3] | 得票人 ['李红', '王强', '张伟', '张伟'] 与得票数 [9, 8, 5, 3] 须一一对应，且姓名不重复                               |
        | [李红, 王强, 张伟, 赵敏] | [9, 8, 4, 4] | 当选名单 ['李红', '王强', '张伟'] 与计票结果不符，赞成票超过到会 9 人的 1/2 方可当选，按得票多少取足本轮 3 名 |

    @E1
    场景: 另选他人也只能选有被选举权的正式党员
      假如 依次执行以下步骤：
        | 角色               | 步骤         | 数据                           |
        | election_organizer | open_meeting | {full_members: 10, present: 9} |
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                             |
        | ballots_returned | 9                              |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2, 2]    |
        | proxy_votes      | 0                              |
        | counted_names    | [李红, 王强, 张伟, 赵敏, 钱进] |
        | counted_votes    | [9, 8, 2, 1, 5]                |
        | round_seats      | 3                              |
        | elected_members  | [李红, 王强, 钱进]             |
      那么 操作被拒绝，提示包含 "得票人 ['李红', '王强', '张伟', '赵敏', '钱进'] 中有没有被选举权的党员（['钱进', '孙立']）或此前已当选的（[]）"
      而且 当前状态为 "voting"

    @E5 @E6
    场景大纲: 赞成票须超过到会人数的一半，末位得票相等的再次投票
      假如 依次执行以下步骤：
        | 角色               | 步骤         | 数据                           |
        | election_organizer | open_meeting | {full_members: 9, present: 8}  |
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                             |
        | ballots_returned | 8                              |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 3]       |
        | proxy_votes      | 0                              |
        | counted_names    | [李红, 王强, 张伟, 赵敏]       |
        | counted_votes    | [8, 8, <张伟得票>, <赵敏得票>] |
        | round_seats      | 3                              |
        | elected_members  | <当选>                         |
      而且 "election_organizer" 执行 "announce"
      那么 结果为 "<结果>"

      例子:
        | 张伟得票 | 赵敏得票 | 当选               | 结果              |
        | 5        | 3        | [李红, 王强, 张伟] | committee_elected |
        | 4        | 4        | [李红, 王强]       | shortfall         |
        | 6        | 2        | [李红, 王强, 张伟] | committee_elected |

    @E6
    场景: 末位得票相等，对并列者再次投票后当选
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                               |
        | election_organizer | open_meeting  | {full_members: 10, present: 9}                                                                                                                                                     |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 5, 5], round_seats: 3, elected_members: [李红, 王强]} |
        | election_organizer | announce      |                                                                                                                                                                                    |
      那么 当前状态为 "tie"
      当 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                          |
        | election_organizer | revote        | {revote_candidates: [赵敏, 张伟], elected_before_round: [王强, 李红]}                                                                                          |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [1, 1, 1, 1, 1, 1, 1, 1, 0], proxy_votes: 0, counted_names: [张伟, 赵敏], counted_votes: [3, 5], round_seats: 1, elected_members: [李红, 王强, 赵敏]} |
        | election_organizer | announce      |                                                                                                                                                               |
      那么 当前状态为 "committee_elected"

    @E6
    场景大纲: 末位得票相等时只对并列者再次投票，此前已当选名单须沿用计票结果
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                               |
        | election_organizer | open_meeting  | {full_members: 10, present: 9}                                                                                                                                                     |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 5, 5], round_seats: 3, elected_members: [李红, 王强]} |
        | election_organizer | announce      |                                                                                                                                                                                    |
      那么 当前状态为 "tie"
      当 "election_organizer" 执行 "revote"，数据为：
        | 字段                 | 值               |
        | revote_candidates    | <再次投票候选人> |
        | elected_before_round | <此前已当选>     |
      那么 操作被拒绝，提示包含 "<提示>"
      而且 当前状态为 "tie"

      例子:
        | 再次投票候选人     | 此前已当选   | 提示                                                                                                                        |
        | [张伟]             | [李红, 王强] | 只对得票相等的被选举人再次投票，填写的候选人为 ['张伟']；上轮得票人 ['李红', '王强', '张伟', '赵敏']，得票 [9, 8, 5, 5]，本轮应选 3 名，到会 9 人 |
        | [张伟, 赵敏, 周明] | [李红, 王强] | 只对得票相等的被选举人再次投票，填写的候选人为 ['张伟', '赵敏', '周明']                                                     |
        | [张伟, 赵敏]       | [李红]       | 此前已当选名单须沿用计票结果 ['李红', '王强']；填写的是 ['李红']                                                            |

    @E6
    场景大纲: 当选人数不足时另行选举，另选候选人、差额或此前已当选名单不符的被拒绝
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                  |
        | election_organizer | open_meeting  | {full_members: 10, present: 9}                                                                                                                                                        |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 2, 2], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 4, 4], round_seats: 3, elected_members: [李红, 王强]} |
        | election_organizer | announce      |                                                                                                                                                                                       |
      那么 当前状态为 "shortfall"
      当 "election_organizer" 执行 "further_round"，数据为：
        | 字段                 | 值           |
        | revote_candidates    | <另选候选人> |
        | elected_before_round | <此前已当选> |
      那么 操作被拒绝，提示包含 "<提示>"
      而且 当前状态为 "shortfall"

      例子: 另选候选人中有已当选的、不是候选人的或重复的
        | 另选候选人   | 此前已当选   | 提示                                                                                       |
        | [李红, 张伟] | [李红, 王强] | 另行选举只在未当选的候选人中进行（不从得票未过半数者中递补），候选人 ['李红', '王强', '张伟', '赵敏']，已当选 ['李红', '王强']，填写的是 ['李红', '张伟'] |
        | [张伟, 周明] | [李红, 王强] | 另行选举只在未当选的候选人中进行                                                           |
        | [张伟, 张伟] | [李红, 王强] | 另行选举只在未当选的候选人中进行                                                           |

      例子: 另行选举仍实行差额（不足 1 名，至少 2 名候选人）
        | 另选候选人 | 此前已当选   | 提示                                                                                       |
        | [张伟]     | [李红, 王强] | 另行选举仍实行差额，候选人数须比不足的名额（应选 3 名，已当选 ['李红', '王强']）多出至少其 1/5；填写的是 ['张伟'] |
        | []         | [李红, 王强] | 另行选举仍实行差额                                                                         |

      例子: 此前已当选名单须沿用计票结果
        | 另选候选人   | 此前已当选         | 提示                                                                       |
        | [张伟, 赵敏] | [李红]             | 此前已当选名单须沿用计票结果 ['李红', '王强']；填写的是 ['李红']             |
        | [张伟, 赵敏] | [李红, 王强, 张伟] | 此前已当选名单须沿用计票结果 ['李红', '王强']；填写的是 ['李红', '王强', '张伟'] |
        | [张伟, 赵敏] | []                 | 此前已当选名单须沿用计票结果 ['李红', '王强']；填写的是 []                   |

    @E6
    场景: 当选人数不足，在未当选的候选人中差额另行选举，补足名额后当选
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                  |
        | election_organizer | open_meeting  | {full_members: 10, present: 9}                                                                                                                                                        |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 2, 2], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 4, 4], round_seats: 3, elected_members: [李红, 王强]} |
        | election_organizer | announce      |                                                                                                                                                                                       |
      那么 当前状态为 "shortfall"
      当 "election_organizer" 执行 "further_round"，数据为：
        | 字段                 | 值           |
        | revote_candidates    | [赵敏, 张伟] |
        | elected_before_round | [王强, 李红] |
      那么 当前状态为 "voting"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [1, 1, 1, 1, 1, 1, 1, 1, 1] |
        | proxy_votes      | 0                           |
        | counted_names    | [张伟, 周明]                |
        | counted_votes    | [5, 4]                      |
        | round_seats      | 1                           |
        | elected_members  | [李红, 王强, 张伟]          |
      那么 操作被拒绝，提示包含 "再次投票或另行选举只在 ['赵敏', '张伟'] 中进行"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [1, 1, 1, 1, 1, 1, 1, 1, 1] |
        | proxy_votes      | 0                           |
        | counted_names    | [张伟, 赵敏]                |
        | counted_votes    | [5, 4]                      |
        | round_seats      | 1                           |
        | elected_members  | [李红, 王强, 张伟]          |
      而且 "election_organizer" 执行 "announce"
      那么 当前状态为 "committee_elected"
      而且 审计记录共 13 条，哈希链完整

    @E6 @B4
    场景: 应选 3 名只选出 2 名，不能减少名额（委员会不少于 3 人）
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                  |
        | election_organizer | open_meeting  | {full_members: 10, present: 9}                                                                                                                                                        |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 2, 2], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 4, 4], round_seats: 3, elected_members: [李红, 王强]} |
        | election_organizer | announce      |                                                                                                                                                                                       |
      那么 当前状态为 "shortfall"
      当 "election_organizer" 执行 "reduce_seats"，数据为：
        | 字段                    | 值 |
        | reduction_consent_votes | 9  |
      那么 操作被拒绝，提示包含 "减少名额后委员会不能少于 3 人，已当选 ['李红', '王强']"
      而且 当前状态为 "shortfall"

    @E11
    场景: 选举结果报上级批准，换届完成，审计记录可校验
      当 依次执行以下步骤：
        | 角色               | 步骤            | 数据                                                                                                                                                                                  |
        | election_organizer | open_meeting    | {full_members: 10, present: 9}                                                                                                                                                        |
        | scrutineer         | count_ballots   | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 2, 2], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 5, 3], round_seats: 3, elected_members: [李红, 王强, 张伟]} |
        | election_organizer | announce        |                                                                                                                                                                                       |
        | new_committee      | elect_officers  | {secretary_candidates: [李红], committee_present: 3, secretary_votes: 3}                                                                                                                |
        | election_organizer | report_results  |                                                                                                                                                                                       |
        | street_committee   | approve_results |                                                                                                                                                                                       |
      那么 当前状态为 "completed"
      而且 审计记录共 13 条，哈希链完整

    @E11
    场景: 上级不批准选举结果必须说明理由
      当 依次执行以下步骤：
        | 角色               | 步骤           | 数据                                                                                                                                                                                  |
        | election_organizer | open_meeting   | {full_members: 10, present: 9}                                                                                                                                                        |
        | scrutineer         | count_ballots  | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 2, 2], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 5, 3], round_seats: 3, elected_members: [李红, 王强, 张伟]} |
        | election_organizer | announce       |                                                                                                                                                                                       |
        | new_committee      | elect_officers | {secretary_candidates: [李红], committee_present: 3, secretary_votes: 3}                                                                                                                |
        | election_organizer | report_results |                                                                                                                                                                                       |
        | street_committee   | reject_results |                                                                                                                                                                                       |
      那么 操作被拒绝，提示包含 "不批准选举结果必须说明理由"
      当 "street_committee" 执行 "reject_results"，数据为：
        | 字段                     | 值 |
        | results_rejection_reason | "" |
      那么 操作被拒绝，提示包含 "不批准选举结果必须说明理由"
      而且 当前状态为 "results_reported"
      当 "street_committee" 执行 "reject_results"，数据为：
        | 字段                     | 值                         |
        | results_rejection_reason | 计票中发现委托投票未予剔除 |
      那么 当前状态为 "results_rejected"
      而且 审计记录共 13 条，哈希链完整
      而且 "street_committee" 可执行的步骤为 "无"

  规则: 当选人数接近应选名额的，经到会过半数同意可以减少名额，不再选举

    背景:
      假如 依次执行以下步骤：
        | 角色               | 步骤                         | 数据                                                                                         |
        | election_organizer | request_election             | {election_date: 2026-09-25}                                                                  |
        | street_committee   | approve_election             |                                                                                              |
        | election_organizer | record_party_recommendation  | {party_recommended: [李红, 王强, 张伟, 赵敏, 周明, 吴刚], party_recommendation_secret: true} |
        | election_organizer | record_public_recommendation | {public_recommended: [李红, 王强, 周明]}                                                      |
        | election_organizer | propose_slate                | {candidates: [李红, 王强, 张伟, 赵敏, 周明, 吴刚], seats: 5}                                 |
        | street_committee   | approve_slate                |                                                                                              |
        | election_organizer | open_meeting                 | {full_members: 10, present: 9}                                                               |

    @E6
    场景大纲: 差 1 名时，同意减少名额的须超过到会人数的一半（到会 9 人，5 人同意可以，4 人不可以）
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                                                  |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [5, 5, 5, 5, 4, 4, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏, 周明, 吴刚], counted_votes: [9, 8, 7, 6, 4, 3], round_seats: 5, elected_members: [李红, 王强, 张伟, 赵敏]} |
        | election_organizer | announce      |                                                                                                                                                                                                                       |
      那么 当前状态为 "shortfall"
      当 "election_organizer" 执行 "reduce_seats"，数据为：
        | 字段                    | 值         |
        | reduction_consent_votes | <同意人数> |
      那么 结果为 "<结果>"

      例子:
        | 同意人数 | 结果              |
        | 4        | 被拒绝            |
        | 5        | committee_elected |
        | 9        | committee_elected |
        | 10       | 被拒绝            |

    @E6 @E11
    场景: 同意人数不足的提示写明到会和同意人数，经过半数同意减少名额后报上级批准
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                                                  |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [5, 5, 5, 5, 4, 4, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏, 周明, 吴刚], counted_votes: [9, 8, 7, 6, 4, 3], round_seats: 5, elected_members: [李红, 王强, 张伟, 赵敏]} |
        | election_organizer | announce      |                                                                                                                                                                                                                       |
      当 "election_organizer" 执行 "reduce_seats"
      那么 操作被拒绝，提示包含 "尚未提供同意减少名额、不再选举的人数（reduction_consent_votes）"
      当 "election_organizer" 执行 "reduce_seats"，数据为：
        | 字段                    | 值 |
        | reduction_consent_votes | 4  |
      那么 操作被拒绝，提示包含 "减少名额、不再选举须经到会 9 人中超过 1/2 的人同意；同意 4 人"
      而且 当前状态为 "shortfall"
      当 依次执行以下步骤：
        | 角色               | 步骤            | 数据                                                                    |
        | election_organizer | reduce_seats    | {reduction_consent_votes: 5}                                            |
        | new_committee      | elect_officers  | {secretary_candidates: [李红], committee_present: 4, secretary_votes: 4} |
        | election_organizer | report_results  |                                                                         |
        | street_committee   | approve_results |                                                                         |
      那么 当前状态为 "completed"
      而且 审计记录共 14 条，哈希链完整

    @E6 @E3
    场景: 差 2 名时不能减少名额，应在未当选的候选人中差额另行选举
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                                              |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [5, 5, 5, 4, 4, 3, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏, 周明, 吴刚], counted_votes: [9, 8, 7, 4, 4, 3], round_seats: 5, elected_members: [李红, 王强, 张伟]} |
        | election_organizer | announce      |                                                                                                                                                                                                                   |
      当 "election_organizer" 执行 "reduce_seats"，数据为：
        | 字段                    | 值 |
        | reduction_consent_votes | 9  |
      那么 操作被拒绝，提示包含 "只有接近应选名额时才可减少名额，应选 5 名，已当选 ['李红', '王强', '张伟']，最多可差 1 名"
      当 "election_organizer" 执行 "further_round"，数据为：
        | 字段                 | 值                 |
        | revote_candidates    | [赵敏, 周明]       |
        | elected_before_round | [李红, 王强, 张伟] |
      那么 操作被拒绝，提示包含 "另行选举仍实行差额"
      当 "election_organizer" 执行 "further_round"，数据为：
        | 字段                 | 值                 |
        | revote_candidates    | [赵敏, 周明, 吴刚] |
        | elected_before_round | [李红, 王强, 张伟] |
      那么 当前状态为 "voting"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                             |
        | ballots_returned | 9                              |
        | ballot_marks     | [2, 2, 2, 2, 2, 2, 2, 2, 1]    |
        | proxy_votes      | 0                              |
        | counted_names    | [赵敏, 周明, 吴刚]             |
        | counted_votes    | [7, 6, 4]                      |
        | round_seats      | 2                              |
        | elected_members  | [李红, 王强, 张伟, 赵敏, 周明] |
      而且 "election_organizer" 执行 "announce"
      那么 当前状态为 "committee_elected"

  规则: 新一届委员会等额选举书记、副书记，书记候选人须为新当选的委员并从两推人选中产生

    # 党员推荐 [李红, 王强, 张伟, 赵敏]，群众推荐 [李红, 王强, 周明]；吴刚为另选他人当选，未经两推
    背景:
      假如 依次执行以下步骤：
        | 角色               | 步骤                         | 数据                                                                                                                                                                                                     |
        | election_organizer | request_election             | {election_date: 2026-09-25}                                                                                                                                                                              |
        | street_committee   | approve_election             |                                                                                                                                                                                                          |
        | election_organizer | record_party_recommendation  | {party_recommended: [李红, 王强, 张伟, 赵敏], party_recommendation_secret: true}                                                                                                                          |
        | election_organizer | record_public_recommendation | {public_recommended: [李红, 王强, 周明]}                                                                                                                                                                  |
        | election_organizer | propose_slate                | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3}                                                                                                                                                         |
        | street_committee   | approve_slate                |                                                                                                                                                                                                          |
        | election_organizer | open_meeting                 | {full_members: 10, present: 9}                                                                                                                                                                           |
        | scrutineer         | count_ballots                | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 吴刚, 张伟, 赵敏], counted_votes: [9, 8, 5, 3, 2], round_seats: 3, elected_members: [李红, 王强, 吴刚]} |
        | election_organizer | announce                     |                                                                                                                                                                                                          |
      那么 当前状态为 "committee_elected"

    @E11
    场景: 新一届委员会未选出书记、副书记，不能报送选举结果
      那么 "new_committee" 可执行的步骤为 "elect_officers"
      而且 "election_organizer" 可执行的步骤为 "无"
      当 "election_organizer" 执行 "report_results"
      那么 结果为 "被拒绝"
      而且 当前状态为 "committee_elected"

    @E11
    场景: 书记候选人 1 名，为新当选且经两推的委员，选出书记、副书记后报上级批准
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值     |
        | secretary_candidates | [李红] |
        | deputy_posts         | 1      |
        | deputy_candidates    | [王强] |
        | committee_present    | 3      |
        | secretary_votes      | 2      |
        | deputy_votes         | [2]    |
      那么 当前状态为 "officers_elected"
      当 依次执行以下步骤：
        | 角色               | 步骤            | 数据 |
        | election_organizer | report_results  |      |
        | street_committee   | approve_results |      |
      那么 当前状态为 "completed"
      而且 审计记录共 13 条，哈希链完整

    @E11
    场景: 书记实行等额选举，提名 2 名书记候选人的被拒绝
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值           |
        | secretary_candidates | [李红, 王强] |
        | committee_present    | 3            |
        | secretary_votes      | 3            |
      那么 操作被拒绝，提示包含 "书记实行等额选举，只提 1 名候选人；提名的是 ['李红', '王强']"
      而且 当前状态为 "committee_elected"

    @E11
    场景: 副书记每个职位只提 1 名候选人
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值           |
        | secretary_candidates | [李红]       |
        | deputy_posts         | 1            |
        | deputy_candidates    | [王强, 吴刚] |
        | committee_present    | 3            |
        | secretary_votes      | 3            |
        | deputy_votes         | [2, 2]       |
      那么 操作被拒绝，提示包含 "副书记每个职位只提 1 名候选人，设副书记 1 名，提名的是 ['王强', '吴刚']"

    @E11
    场景大纲: 书记候选人须为新当选的委员，经两推但未当选委员的不能提名
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值         |
        | secretary_candidates | [<候选人>] |
        | committee_present    | 3          |
        | secretary_votes      | 3          |
      那么 操作被拒绝，提示包含 "书记、副书记候选人须为新当选的委员（['李红', '王强', '吴刚']），且不能重复，书记 ['<候选人>']"
      而且 当前状态为 "committee_elected"

      例子:
        | 候选人 |
        | 张伟   |
        | 周明   |

    @E11
    场景: 另选他人当选、未经两推的委员不能当选书记，可以当选副书记
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值     |
        | secretary_candidates | [吴刚] |
        | committee_present    | 3      |
        | secretary_votes      | 3      |
      那么 操作被拒绝，提示包含 "书记候选人须从两推人选中产生（须同时得到两种推荐，false），党员推荐 ['李红', '王强', '张伟', '赵敏']，群众推荐 ['李红', '王强', '周明']，书记候选人 ['吴刚']"
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值     |
        | secretary_candidates | [王强] |
        | deputy_posts         | 1      |
        | deputy_candidates    | [吴刚] |
        | committee_present    | 3      |
        | secretary_votes      | 3      |
        | deputy_votes         | [3]    |
      那么 当前状态为 "officers_elected"

    @E11 @E2 @E5
    场景大纲: 到会委员须超过委员总数的 4/5，书记、副书记得赞成票须超过到会委员的一半
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值         |
        | secretary_candidates | [李红]     |
        | deputy_posts         | 1          |
        | deputy_candidates    | [王强]     |
        | committee_present    | <到会委员> |
        | secretary_votes      | <书记得票> |
        | deputy_votes         | <副书记得票> |
      那么 结果为 "<结果>"

      例子:
        | 到会委员 | 书记得票 | 副书记得票 | 结果             |
        | 3        | 2        | [2]        | officers_elected |
        | 2        | 2        | [2]        | 被拒绝           |
        | 4        | 3        | [3]        | 被拒绝           |
        | 3        | 1        | [2]        | 被拒绝           |
        | 3        | 2        | [1]        | 被拒绝           |
        | 3        | 2        | []         | 被拒绝           |

    @E11 @E2
    场景: 到会委员不足的提示写明到会人数和委员名单
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值     |
        | secretary_candidates | [李红] |
        | committee_present    | 2      |
        | secretary_votes      | 2      |
      那么 操作被拒绝，提示包含 "到会委员 2 人，须超过全体委员（['李红', '王强', '吴刚']）人数的 4/5 且不多于委员人数"

    @E11 @E5
    场景: 书记候选人得票不足的提示写明得票和到会人数
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值     |
        | secretary_candidates | [李红] |
        | committee_present    | 3      |
        | secretary_votes      | 1      |
      那么 操作被拒绝，提示包含 "书记候选人得赞成票 1 张，须超过到会委员 3 人的 1/2"
