# language: zh-CN
@two_ballot_election
功能: 两票制换届选举
  任期将满，党组织报送换届请示，上级批准后，全体村民投信任票确定书记候选人（第一票），
  党员大会差额选举新一届委员会（第二票）：只有正式党员有选举权和被选举权，到会须超过应到会
  人数的 4/5，赞成票超过到会人数的一半才能当选。新一届委员会等额选举书记、副书记，报上级批准。

  背景:
    假如 当前时间是 "2026-09-01T09:00:00+00:00"
    而且 "election_organizer" 发起流程 "two_ballot_election"，数据为：
      | 字段               | 值           |
      | org_name           | 星光村党支部 |
      | electing_org       | xingguang    |
      | term_ends          | 2026-10-01   |
      | ineligible_members | [钱进, 孙立] |

  规则: 按期换届，延期或提前须说明理由、报上级批准，一般不超过 1 年

    @E8
    场景大纲: 任期届满前 1 个月内按期换届无须说明理由，早于或晚于此即为提前或延期
      当 "election_organizer" 执行 "request_election"，数据为：
        | 字段          | 值           |
        | election_date | <拟选举日期> |
      那么 结果为 "<结果>"

      例子:
        | 拟选举日期 | 结果               |
        | 2026-10-01 | election_requested |
        | 2026-10-02 | 被拒绝             |
        | 2026-09-01 | election_requested |
        | 2026-08-31 | 被拒绝             |

    @E8
    场景: 延期换届须说明理由并经上级批准
      当 "election_organizer" 执行 "request_election"，数据为：
        | 字段          | 值         |
        | election_date | 2027-03-01 |
      那么 操作被拒绝，提示包含 "延期或提前换届须说明理由并报上级批准，任期 2026-10-01 届满，拟选举日期为 2027-03-01"
      当 "election_organizer" 执行 "request_election"，数据为：
        | 字段          | 值                                 |
        | election_date | 2027-03-01                         |
        | reason        | 党组织主要成员外出务工，需待其返乡 |
      那么 当前状态为 "election_requested"
      当 "election_organizer" 执行 "approve_election"
      那么 操作被拒绝，提示包含 "乡镇党委"
      当 "township_committee" 执行 "approve_election"
      那么 当前状态为 "approved_for_election"

    @E8
    场景大纲: 延期或提前换届不超过 1 年（按日历计）
      当 "election_organizer" 执行 "request_election"，数据为：
        | 字段          | 值                         |
        | election_date | <拟选举日期>               |
        | reason        | 配合村民委员会同步换届选举 |
      那么 结果为 "<结果>"

      例子:
        | 拟选举日期 | 结果               |
        | 2027-10-01 | election_requested |
        | 2027-10-02 | 被拒绝             |
        | 2025-10-01 | election_requested |
        | 2025-09-30 | 被拒绝             |

    @E8
    场景: 延期超过 1 年的提示写明任期和拟选举日期
      当 "election_organizer" 执行 "request_election"，数据为：
        | 字段          | 值                         |
        | election_date | 2027-10-02                 |
        | reason        | 配合村民委员会同步换届选举 |
      那么 操作被拒绝，提示包含 "延期换届一般不超过 1 年，任期 2026-10-01 届满，拟选举日期为 2027-10-02"

    @E8
    场景: 任期将满 1 个月内未报送换届请示，上报上级督办
      当 时间过去 "P29D"
      而且 运行超期检查
      那么 当前状态为 "reelection_due"
      当 时间过去 "P2D"
      而且 运行超期检查
      那么 当前状态为 "reelection_overdue"
      当 "election_organizer" 执行 "request_election"，数据为：
        | 字段          | 值                       |
        | election_date | 2026-10-20               |
        | reason        | 逾期未报，经督办后召开 |
      那么 当前状态为 "election_requested"

    @E8
    场景: 上级退回换届请示必须说明理由
      当 "election_organizer" 执行 "request_election"，数据为：
        | 字段          | 值         |
        | election_date | 2026-09-25 |
      而且 "township_committee" 执行 "reject_election"
      那么 操作被拒绝，提示包含 "退回换届请示必须说明理由"
      当 "township_committee" 执行 "reject_election"，数据为：
        | 字段                      | 值             |
        | election_rejection_reason | 候选人酝酿不充分 |
      那么 当前状态为 "reelection_due"

  规则: 第一票：全体村民投信任票，信任票超过有效票一半的才能成为书记候选人

    背景:
      假如 依次执行以下步骤：
        | 角色               | 步骤             | 数据                        |
        | election_organizer | request_election | {election_date: 2026-09-25} |
        | township_committee | approve_election |                             |

    @E9
    场景大纲: 信任票须超过有效信任票的一半（不含本数）
      当 "scrutineer" 执行 "record_trust_vote"，数据为：
        | 字段                | 值                  |
        | trust_nominees      | [李红, 王强]        |
        | trust_votes         | [<李红信任票>, 388] |
        | trust_ballots_valid | 1000                |
      那么 结果为 "<结果>"

      例子:
        | 李红信任票 | 结果        |
        | 501        | trust_voted |
        | 500        | 被拒绝      |

    @E9
    场景: 无人信任票过半，登记信任投票未通过后重新推荐
      当 "scrutineer" 执行 "record_trust_vote"，数据为：
        | 字段                | 值           |
        | trust_nominees      | [李红, 王强] |
        | trust_votes         | [500, 420]   |
        | trust_ballots_valid | 1000         |
      那么 操作被拒绝，提示包含 "没有被推荐人的信任票超过有效信任票 1000 张的 1/2（得票 [500, 420]）"
      当 "scrutineer" 执行 "trust_vote_failed"，数据为：
        | 字段                | 值           |
        | trust_nominees      | [李红, 王强] |
        | trust_votes         | [500, 420]   |
        | trust_ballots_valid | 1000         |
      那么 当前状态为 "approved_for_election"
      当 "scrutineer" 执行 "record_trust_vote"，数据为：
        | 字段                | 值           |
        | trust_nominees      | [周明, 王强] |
        | trust_votes         | [640, 420]   |
        | trust_ballots_valid | 1000         |
      那么 当前状态为 "trust_voted"

    @E9
    场景: 有人信任票过半时不能登记为未通过
      当 "scrutineer" 执行 "trust_vote_failed"，数据为：
        | 字段                | 值           |
        | trust_nominees      | [李红, 王强] |
        | trust_votes         | [501, 420]   |
        | trust_ballots_valid | 1000         |
      那么 操作被拒绝，提示包含 "信任投票已通过"

    @E9 @E1
    场景: 预备党员和受留党察看处分的党员不能被推荐为书记候选人
      当 "scrutineer" 执行 "record_trust_vote"，数据为：
        | 字段                | 值           |
        | trust_nominees      | [李红, 钱进] |
        | trust_votes         | [700, 600]   |
        | trust_ballots_valid | 1000         |
      那么 操作被拒绝，提示包含 "被推荐人须为有被选举权的正式党员"

    @E9
    场景大纲: 被推荐人与信任票数须一一对应、姓名不重复，任何人的信任票不多于有效信任票
      当 "scrutineer" 执行 "<步骤>"，数据为：
        | 字段                | 值         |
        | trust_nominees      | <被推荐人> |
        | trust_votes         | <信任票>   |
        | trust_ballots_valid | 1000       |
      那么 操作被拒绝，提示包含 "<提示>"
      而且 当前状态为 "approved_for_election"

      例子:
        | 步骤              | 被推荐人     | 信任票      | 提示                                                              |
        | record_trust_vote | [李红, 王强] | [612]       | 被推荐人 ['李红', '王强'] 与信任票数 [612] 须一一对应，且姓名不重复 |
        | record_trust_vote | [李红, 李红] | [612, 388]  | 被推荐人 ['李红', '李红'] 与信任票数 [612, 388] 须一一对应，且姓名不重复 |
        | record_trust_vote | [李红, 王强] | [1200, 388] | 任何人的信任票都不能多于有效信任票 1000 张；登记的是 [1200, 388]  |
        | trust_vote_failed | [李红, 王强] | [420]       | 被推荐人 ['李红', '王强'] 与信任票数 [420] 须一一对应，且姓名不重复 |
        | trust_vote_failed | [李红, 李红] | [420, 380]  | 被推荐人 ['李红', '李红'] 与信任票数 [420, 380] 须一一对应，且姓名不重复 |
        | trust_vote_failed | [李红, 王强] | [1200, 380] | 任何人的信任票都不能多于有效信任票 1000 张；登记的是 [1200, 380]  |

    @E9
    场景: 委员候选人中须有通过信任投票的书记候选人
      假如 依次执行以下步骤：
        | 角色       | 步骤              | 数据                                                                              |
        | scrutineer | record_trust_vote | {trust_nominees: [李红, 王强], trust_votes: [612, 388], trust_ballots_valid: 1000} |
      当 "election_organizer" 执行 "set_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [王强, 张伟, 赵敏, 周明] |
        | seats      | 3                        |
      那么 操作被拒绝，提示包含 "候选人中须有信任票超过有效信任票 1000 张的 1/2 的书记候选人"
      当 "election_organizer" 执行 "set_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [李红, 王强, 张伟, 赵敏] |
        | seats      | 3                        |
      那么 当前状态为 "slate_set"

    @E9
    场景: 本地规定全体委员候选人都须通过信任投票的，未通过的不能列为委员候选人
      当 规则参数修改为：
        | 流程                | 参数                          | 新值 |
        | two_ballot_election | trust_vote_for_all_candidates | true |
      而且 按映射迁移到新规则：
        | 原状态 | 新状态 |
      而且 "scrutineer" 执行 "record_trust_vote"，数据为：
        | 字段                | 值                             |
        | trust_nominees      | [李红, 王强, 张伟, 赵敏, 周明] |
        | trust_votes         | [612, 388, 700, 650, 530]      |
        | trust_ballots_valid | 1000                           |
      那么 当前状态为 "trust_voted"
      当 "election_organizer" 执行 "set_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [李红, 王强, 张伟, 赵敏] |
        | seats      | 3                        |
      那么 操作被拒绝，提示包含 "本地规定全体委员候选人都须通过信任投票（超过有效信任票 1000 张的 1/2），信任投票 ['李红', '王强', '张伟', '赵敏', '周明'] 得票 [612, 388, 700, 650, 530]，候选人为 ['李红', '王强', '张伟', '赵敏']"
      而且 当前状态为 "trust_voted"
      当 "election_organizer" 执行 "set_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [李红, 张伟, 赵敏, 周明] |
        | seats      | 3                        |
      那么 当前状态为 "slate_set"

  规则: 第二票：差额提名，只有正式党员有选举权和被选举权，到会须超过应到会人数的 4/5

    背景:
      假如 依次执行以下步骤：
        | 角色               | 步骤              | 数据                                                                              |
        | election_organizer | request_election  | {election_date: 2026-09-25}                                                       |
        | township_committee | approve_election  |                                                                                   |
        | scrutineer         | record_trust_vote | {trust_nominees: [李红, 王强], trust_votes: [612, 388], trust_ballots_valid: 1000} |

    @E3
    场景大纲: 候选人多于应选名额的部分不少于应选名额的 1/5
      当 "election_organizer" 执行 "set_slate"，数据为：
        | 字段       | 值       |
        | candidates | <候选人> |
        | seats      | <应选>   |
      那么 结果为 "<结果>"

      例子:
        | 应选 | 候选人                               | 结果      |
        | 3    | [李红, 王强, 张伟]                   | 被拒绝    |
        | 3    | [李红, 王强, 张伟, 赵敏]             | slate_set |
        | 5    | [李红, 王强, 张伟, 赵敏, 周明]       | 被拒绝    |
        | 5    | [李红, 王强, 张伟, 赵敏, 周明, 吴刚] | slate_set |

    @E3
    场景: 差额不足的提示写明应选名额和候选人
      当 "election_organizer" 执行 "set_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [李红, 王强, 张伟, 张伟] |
        | seats      | 3                        |
      那么 操作被拒绝，提示包含 "候选人名单有重复姓名"

    @E1
    场景: 预备党员和受留党察看处分的党员不能作为候选人
      当 "election_organizer" 执行 "set_slate"，数据为：
        | 字段       | 值                       |
        | candidates | [李红, 王强, 张伟, 孙立] |
        | seats      | 3                        |
      那么 操作被拒绝，提示包含 "候选人须为有被选举权的正式党员"

    @E2
    场景大纲: 到会有选举权的党员须超过应到会人数的 4/5（不含本数）
      假如 依次执行以下步骤：
        | 角色               | 步骤      | 数据                                             |
        | election_organizer | set_slate | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3} |
      当 "election_organizer" 执行 "open_meeting"，数据为：
        | 字段         | 值         |
        | full_members | <正式党员> |
        | present      | <到会>     |
      那么 结果为 "<结果>"

      例子:
        | 正式党员 | 到会 | 结果   |
        | 40       | 32   | 被拒绝 |
        | 40       | 33   | voting |
        | 10       | 8    | 被拒绝 |
        | 10       | 9    | voting |

    @E2
    场景: 到会人数不足的提示写明到会和应到会人数
      假如 依次执行以下步骤：
        | 角色               | 步骤      | 数据                                             |
        | election_organizer | set_slate | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3} |
      当 "election_organizer" 执行 "open_meeting"，数据为：
        | 字段         | 值 |
        | full_members | 40 |
        | present      | 32 |
      那么 操作被拒绝，提示包含 "到会有选举权的党员 32 人，未超过应到会人数（正式党员 40 人减受留党察看 0 人）的 4/5"

    @E1
    场景大纲: 预备党员和受留党察看处分的党员没有选举权，不计入应到会和到会人数
      假如 依次执行以下步骤：
        | 角色               | 步骤      | 数据                                             |
        | election_organizer | set_slate | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3} |
      当 "election_organizer" 执行 "open_meeting"，数据为：
        | 字段                 | 值     |
        | full_members         | 10     |
        | suspended_members    | 1      |
        | probationary_members | 5      |
        | present              | <到会> |
      那么 结果为 "<结果>"

      例子:
        | 到会 | 结果   |
        | 8    | voting |
        | 7    | 被拒绝 |
        | 10   | 被拒绝 |

    @E1
    场景: 把预备党员算作到会人数的被拒绝
      假如 依次执行以下步骤：
        | 角色               | 步骤      | 数据                                             |
        | election_organizer | set_slate | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3} |
      当 "election_organizer" 执行 "open_meeting"，数据为：
        | 字段                 | 值 |
        | full_members         | 10 |
        | probationary_members | 5  |
        | present              | 12 |
      那么 操作被拒绝，提示包含 "预备党员（5 人）和受留党察看处分的党员没有选举权，不计入"

    @E1
    场景: 受留党察看处分的党员计入正式党员人数，不能多于正式党员
      假如 依次执行以下步骤：
        | 角色               | 步骤      | 数据                                             |
        | election_organizer | set_slate | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3} |
      当 "election_organizer" 执行 "open_meeting"，数据为：
        | 字段              | 值 |
        | full_members      | 10 |
        | suspended_members | 11 |
        | present           | 9  |
      那么 操作被拒绝，提示包含 "受留党察看处分的党员 11 人，多于正式党员 10 人"
      而且 当前状态为 "slate_set"

  规则: 投票、计票与当选：选票不多于到会人数，赞成票超过到会人数一半，末位并列再投，不足另选

    背景:
      假如 依次执行以下步骤：
        | 角色               | 步骤              | 数据                                                                              |
        | election_organizer | request_election  | {election_date: 2026-09-25}                                                       |
        | township_committee | approve_election  |                                                                                   |
        | scrutineer         | record_trust_vote | {trust_nominees: [李红, 王强], trust_votes: [612, 388], trust_ballots_valid: 1000} |
        | election_organizer | set_slate         | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3}                                  |
        | election_organizer | open_meeting      | {full_members: 10, present: 9}                                                    |

    @E4
    场景: 收回选票多于到会人数，本次投票无效，重新投票
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                             |
        | ballots_returned | 10                             |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 3, 2, 2] |
        | proxy_votes      | 0                              |
        | counted_names    | [李红, 王强, 张伟, 赵敏]       |
        | counted_votes    | [9, 8, 6, 5]                   |
        | round_seats      | 3                              |
        | elected_members  | [李红, 王强, 张伟]             |
      那么 操作被拒绝，提示包含 "收回选票 10 张，多于到会 9 人，本次投票无效"
      当 "scrutineer" 执行 "void_ballots"，数据为：
        | 字段             | 值 |
        | ballots_returned | 10 |
      那么 当前状态为 "voting"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2, 2] |
        | proxy_votes      | 0                           |
        | counted_names    | [李红, 王强, 张伟, 赵敏]    |
        | counted_votes    | [9, 8, 5, 3]                |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强, 张伟]          |
      那么 当前状态为 "counted"

    @E4
    场景: 收回选票等于到会人数，投票有效，不能宣布作废
      当 "scrutineer" 执行 "void_ballots"，数据为：
        | 字段             | 值 |
        | ballots_returned | 9  |
      那么 操作被拒绝，提示包含 "收回选票 9 张，不多于到会 9 人，投票有效"

    @E4
    场景: 所选人数多于应选名额的选票无效，不计票；等于应选名额的有效
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [4, 3, 3, 3, 3, 3, 3, 2, 2] |
        | proxy_votes      | 0                           |
        | counted_names    | [李红, 王强, 张伟, 赵敏]    |
        | counted_votes    | [9, 8, 5, 4]                |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强, 张伟]          |
      那么 操作被拒绝，提示包含 "得票数 [9, 8, 5, 4] 与选票不符"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [4, 3, 3, 3, 3, 3, 3, 2, 2] |
        | proxy_votes      | 0                           |
        | counted_names    | [李红, 王强, 张伟, 赵敏]    |
        | counted_votes    | [8, 7, 4, 3]                |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强]                |
      那么 当前状态为 "counted"

    @E5
    场景大纲: 赞成票超过到会人数的一半才能当选（到会 9 人，5 票当选，4 票不当选）
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                               |
        | ballots_returned | 9                                |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2, 2]      |
        | proxy_votes      | 0                                |
        | counted_names    | [李红, 王强, 张伟, 赵敏]         |
        | counted_votes    | [9, 8, <张伟得票>, <赵敏得票>]   |
        | round_seats      | 3                                |
        | elected_members  | <当选>                           |
      而且 "election_organizer" 执行 "announce"
      那么 结果为 "<结果>"

      例子:
        | 张伟得票 | 赵敏得票 | 当选               | 结果              |
        | 5        | 3        | [李红, 王强, 张伟] | committee_elected |
        | 4        | 4        | [李红, 王强]       | shortfall         |

    @E5
    场景: 得票未过半数的不能列入当选名单
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2, 2] |
        | proxy_votes      | 0                           |
        | counted_names    | [李红, 王强, 张伟, 赵敏]    |
        | counted_votes    | [9, 8, 4, 4]                |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强, 张伟]          |
      那么 操作被拒绝，提示包含 "当选名单 ['李红', '王强', '张伟'] 与计票结果不符，赞成票超过到会 9 人的 1/2 方可当选"

    @E6
    场景: 得票过半数的多于应选名额时，按得票多少取足应选名额
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 3, 2] |
        | proxy_votes      | 0                           |
        | counted_names    | [李红, 王强, 张伟, 赵敏]    |
        | counted_votes    | [8, 7, 6, 5]                |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强, 张伟, 赵敏]    |
      那么 操作被拒绝，提示包含 "当选名单 ['李红', '王强', '张伟', '赵敏'] 与计票结果不符"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 3, 2] |
        | proxy_votes      | 0                           |
        | counted_names    | [李红, 王强, 张伟, 赵敏]    |
        | counted_votes    | [8, 7, 6, 5]                |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强, 张伟]          |
      而且 "election_organizer" 执行 "announce"
      那么 当前状态为 "committee_elected"

    @E6
    场景: 末位得票相等，只对得票相等的被选举人再次投票
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                  |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 5, 5], round_seats: 3, elected_members: [李红, 王强]} |
        | election_organizer | announce      |                                                                                                                                                                                       |
      那么 当前状态为 "tie"
      当 "election_organizer" 执行 "revote"，数据为：
        | 字段                 | 值           |
        | revote_candidates    | [张伟]       |
        | elected_before_round | [李红, 王强] |
      那么 操作被拒绝，提示包含 "只对得票相等的被选举人再次投票，填写的候选人为 ['张伟']"
      当 "election_organizer" 执行 "revote"，数据为：
        | 字段                 | 值           |
        | revote_candidates    | [张伟, 赵敏] |
        | elected_before_round | [李红, 王强] |
      那么 当前状态为 "voting"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [1, 1, 1, 1, 1, 1, 1, 1, 1] |
        | proxy_votes      | 0                           |
        | counted_names    | [张伟, 周明]                |
        | counted_votes    | [6, 3]                      |
        | round_seats      | 1                           |
        | elected_members  | [李红, 王强, 张伟]          |
      那么 操作被拒绝，提示包含 "再次投票或另行选举只在 ['张伟', '赵敏'] 中进行"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [1, 1, 1, 1, 1, 1, 1, 1, 1] |
        | proxy_votes      | 0                           |
        | counted_names    | [张伟, 赵敏]                |
        | counted_votes    | [6, 3]                      |
        | round_seats      | 1                           |
        | elected_members  | [李红, 王强, 张伟]          |
      而且 "election_organizer" 执行 "announce"
      那么 当前状态为 "committee_elected"

    @E6
    场景: 当选人数少于应选名额，对不足的名额另行选举，不从得票未过半数者中递补
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                  |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 2, 2], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 4, 4], round_seats: 3, elected_members: [李红, 王强]} |
        | election_organizer | announce      |                                                                                                                                                                                       |
      那么 当前状态为 "shortfall"
      当 "election_organizer" 执行 "reduce_seats"，数据为：
        | 字段                    | 值 |
        | reduction_consent_votes | 9  |
      那么 操作被拒绝，提示包含 "减少名额后委员会不能少于 3 人"
      当 "election_organizer" 执行 "further_round"，数据为：
        | 字段                 | 值           |
        | revote_candidates    | [张伟]       |
        | elected_before_round | [李红, 王强] |
      那么 操作被拒绝，提示包含 "另行选举仍实行差额"
      当 "election_organizer" 执行 "further_round"，数据为：
        | 字段                 | 值           |
        | revote_candidates    | [张伟, 周明] |
        | elected_before_round | [李红, 王强] |
      那么 操作被拒绝，提示包含 "另行选举只在未当选的候选人中进行"
      当 "election_organizer" 执行 "further_round"，数据为：
        | 字段                 | 值           |
        | revote_candidates    | [张伟, 赵敏] |
        | elected_before_round | [李红, 王强] |
      那么 当前状态为 "voting"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [1, 1, 1, 1, 1, 1, 1, 1, 1] |
        | proxy_votes      | 0                           |
        | counted_names    | [张伟, 赵敏]                |
        | counted_votes    | [5, 4]                      |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强, 张伟]          |
      那么 操作被拒绝，提示包含 "本轮应选名额应为应选 3 名减去此前已当选的 ['李红', '王强']；填写的是 3"
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

    @E7
    场景: 不得委托他人投票
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                          |
        | ballots_returned | 9                           |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2, 2] |
        | proxy_votes      | 1                           |
        | counted_names    | [李红, 王强, 张伟, 赵敏]    |
        | counted_votes    | [9, 8, 5, 3]                |
        | round_seats      | 3                           |
        | elected_members  | [李红, 王强, 张伟]          |
      那么 操作被拒绝，提示包含 "不得委托他人投票，登记委托投票 1 张，应为 0"

    @E7 @E1
    场景: 投不赞成票的可以另选他人，另选的须为有被选举权的正式党员
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                             |
        | ballots_returned | 9                              |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2, 2]    |
        | proxy_votes      | 0                              |
        | counted_names    | [李红, 王强, 张伟, 赵敏, 钱进] |
        | counted_votes    | [9, 8, 2, 1, 5]                |
        | round_seats      | 3                              |
        | elected_members  | [李红, 王强, 钱进]             |
      那么 操作被拒绝，提示包含 "中有没有被选举权的党员"
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                             |
        | ballots_returned | 9                              |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2, 2]    |
        | proxy_votes      | 0                              |
        | counted_names    | [李红, 王强, 张伟, 赵敏, 周明] |
        | counted_votes    | [9, 8, 2, 1, 5]                |
        | round_seats      | 3                              |
        | elected_members  | [李红, 王强, 周明]             |
      而且 "election_organizer" 执行 "announce"
      那么 当前状态为 "committee_elected"

    @E4
    场景: 须逐张登记收回的选票各选了几人
      当 "scrutineer" 执行 "count_ballots"，数据为：
        | 字段             | 值                       |
        | ballots_returned | 9                        |
        | ballot_marks     | [3, 3, 3, 3, 3, 3, 3, 2] |
        | proxy_votes      | 0                        |
        | counted_names    | [李红, 王强, 张伟, 赵敏] |
        | counted_votes    | [8, 8, 5, 2]             |
        | round_seats      | 3                        |
        | elected_members  | [李红, 王强, 张伟]       |
      那么 操作被拒绝，提示包含 "须逐张登记收回的 9 张选票各选了几人；登记的是 [3, 3, 3, 3, 3, 3, 3, 2]"
      而且 当前状态为 "voting"

    @E5
    场景大纲: 得票人与得票数须一一对应，且姓名不重复
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
        | 得票人                   | 得票         | 提示                                                                          |
        | [李红, 王强, 张伟, 赵敏] | [9, 8, 8]    | 得票人 ['李红', '王强', '张伟', '赵敏'] 与得票数 [9, 8, 8] 须一一对应，且姓名不重复    |
        | [李红, 王强, 张伟, 张伟] | [9, 8, 5, 3] | 得票人 ['李红', '王强', '张伟', '张伟'] 与得票数 [9, 8, 5, 3] 须一一对应，且姓名不重复 |

    @E6
    场景: 末位得票相等再次投票时，此前已当选名单须沿用计票结果
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                  |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 5, 5], round_seats: 3, elected_members: [李红, 王强]} |
        | election_organizer | announce      |                                                                                                                                                                                       |
      那么 当前状态为 "tie"
      当 "election_organizer" 执行 "revote"，数据为：
        | 字段                 | 值           |
        | revote_candidates    | [张伟, 赵敏] |
        | elected_before_round | [李红]       |
      那么 操作被拒绝，提示包含 "此前已当选名单须沿用计票结果 ['李红', '王强']；填写的是 ['李红']"
      而且 当前状态为 "tie"

    @E6
    场景: 当选人数不足另行选举时，此前已当选名单须沿用计票结果
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                  |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 2, 2], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 4, 4], round_seats: 3, elected_members: [李红, 王强]} |
        | election_organizer | announce      |                                                                                                                                                                                       |
      那么 当前状态为 "shortfall"
      当 "election_organizer" 执行 "further_round"，数据为：
        | 字段                 | 值                 |
        | revote_candidates    | [张伟, 赵敏]       |
        | elected_before_round | [李红, 王强, 张伟] |
      那么 操作被拒绝，提示包含 "此前已当选名单须沿用计票结果 ['李红', '王强']；填写的是 ['李红', '王强', '张伟']"
      而且 当前状态为 "shortfall"

  规则: 当选人数接近应选名额的，经到会过半数同意可以减少名额

    背景:
      假如 依次执行以下步骤：
        | 角色               | 步骤              | 数据                                                                              |
        | election_organizer | request_election  | {election_date: 2026-09-25}                                                       |
        | township_committee | approve_election  |                                                                                   |
        | scrutineer         | record_trust_vote | {trust_nominees: [李红, 王强], trust_votes: [612, 388], trust_ballots_valid: 1000} |
        | election_organizer | set_slate         | {candidates: [李红, 王强, 张伟, 赵敏, 周明, 吴刚], seats: 5}                      |
        | election_organizer | open_meeting      | {full_members: 10, present: 9}                                                    |

    @E6
    场景大纲: 差 1 名时，同意减少名额的须超过到会人数的一半
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                                                  |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [5, 5, 5, 5, 4, 4, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏, 周明, 吴刚], counted_votes: [9, 8, 7, 6, 4, 3], round_seats: 5, elected_members: [李红, 王强, 张伟, 赵敏]} |
        | election_organizer | announce      |                                                                                                                                                                                                                       |
      当 "election_organizer" 执行 "reduce_seats"，数据为：
        | 字段                    | 值         |
        | reduction_consent_votes | <同意人数> |
      那么 结果为 "<结果>"

      例子:
        | 同意人数 | 结果              |
        | 5        | committee_elected |
        | 4        | 被拒绝            |

    @E6
    场景: 差 2 名时不能减少名额，应另行选举
      假如 依次执行以下步骤：
        | 角色               | 步骤          | 数据                                                                                                                                                                                                              |
        | scrutineer         | count_ballots | {ballots_returned: 9, ballot_marks: [5, 5, 5, 4, 4, 3, 3, 3, 3], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏, 周明, 吴刚], counted_votes: [9, 8, 7, 4, 4, 3], round_seats: 5, elected_members: [李红, 王强, 张伟]} |
        | election_organizer | announce      |                                                                                                                                                                                                                   |
      当 "election_organizer" 执行 "reduce_seats"，数据为：
        | 字段                    | 值 |
        | reduction_consent_votes | 9  |
      那么 操作被拒绝，提示包含 "只有接近应选名额时才可减少名额，应选 5 名"
      当 "election_organizer" 执行 "further_round"，数据为：
        | 字段                 | 值                 |
        | revote_candidates    | [赵敏, 周明, 吴刚] |
        | elected_before_round | [李红, 王强, 张伟] |
      那么 当前状态为 "voting"

  规则: 新一届委员会等额选举书记、副书记，选举结果报上级批准

    背景:
      假如 依次执行以下步骤：
        | 角色               | 步骤              | 数据                                                                                                                                                                                        |
        | election_organizer | request_election  | {election_date: 2026-09-25}                                                                                                                                                                 |
        | township_committee | approve_election  |                                                                                                                                                                                             |
        | scrutineer         | record_trust_vote | {trust_nominees: [李红, 王强], trust_votes: [612, 388], trust_ballots_valid: 1000}                                                                                                           |
        | election_organizer | set_slate         | {candidates: [李红, 王强, 张伟, 赵敏], seats: 3}                                                                                                                                            |
        | election_organizer | open_meeting      | {full_members: 10, present: 9}                                                                                                                                                              |
        | scrutineer         | count_ballots     | {ballots_returned: 9, ballot_marks: [3, 3, 3, 3, 3, 3, 3, 2, 2], proxy_votes: 0, counted_names: [李红, 王强, 张伟, 赵敏], counted_votes: [9, 8, 5, 3], round_seats: 3, elected_members: [李红, 王强, 张伟]} |
        | election_organizer | announce          |                                                                                                                                                                                             |

    @E11
    场景: 书记实行等额选举，只提 1 名候选人
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值           |
        | secretary_candidates | [李红, 张伟] |
        | committee_present    | 3            |
        | secretary_votes      | 3            |
      那么 操作被拒绝，提示包含 "书记实行等额选举，只提 1 名候选人；提名的是 ['李红', '张伟']"
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值     |
        | secretary_candidates | [李红] |
        | committee_present    | 3      |
        | secretary_votes      | 3      |
      那么 当前状态为 "officers_elected"

    @E11
    场景: 书记、副书记候选人须为新当选的委员，每个职位 1 人
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值           |
        | secretary_candidates | [李红]       |
        | deputy_posts         | 1            |
        | deputy_candidates    | [赵敏]       |
        | committee_present    | 3            |
        | secretary_votes      | 3            |
        | deputy_votes         | [2]          |
      那么 操作被拒绝，提示包含 "书记、副书记候选人须为新当选的委员"
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值           |
        | secretary_candidates | [李红]       |
        | deputy_posts         | 1            |
        | deputy_candidates    | [王强, 张伟] |
        | committee_present    | 3            |
        | secretary_votes      | 3            |
        | deputy_votes         | [2, 2]       |
      那么 操作被拒绝，提示包含 "副书记每个职位只提 1 名候选人"

    @E9 @E11
    场景: 未通过信任投票的委员不能当选书记，可以当选副书记
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值     |
        | secretary_candidates | [王强] |
        | committee_present    | 3      |
        | secretary_votes      | 3      |
      那么 操作被拒绝，提示包含 "书记候选人须在群众信任投票中得票超过有效信任票 1000 张的 1/2"
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值     |
        | secretary_candidates | [李红] |
        | deputy_posts         | 1      |
        | deputy_candidates    | [王强] |
        | committee_present    | 3      |
        | secretary_votes      | 3      |
        | deputy_votes         | [2]    |
      那么 当前状态为 "officers_elected"

    @E11 @E2 @E5
    场景大纲: 到会委员须超过委员总数的 4/5，书记得赞成票须超过到会委员的一半
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值         |
        | secretary_candidates | [李红]     |
        | committee_present    | <到会委员> |
        | secretary_votes      | <赞成票>   |
      那么 结果为 "<结果>"

      例子:
        | 到会委员 | 赞成票 | 结果             |
        | 3        | 2      | officers_elected |
        | 3        | 1      | 被拒绝           |
        | 2        | 2      | 被拒绝           |

    @E5
    场景: 副书记候选人得赞成票须超过到会委员的一半
      当 "new_committee" 执行 "elect_officers"，数据为：
        | 字段                 | 值     |
        | secretary_candidates | [李红] |
        | deputy_posts         | 1      |
        | deputy_candidates    | [王强] |
        | committee_present    | 3      |
        | secretary_votes      | 3      |
        | deputy_votes         | [1]    |
      那么 操作被拒绝，提示包含 "副书记候选人 ['王强'] 得赞成票 [1]，每人须超过到会委员 3 人的 1/2"
      而且 当前状态为 "committee_elected"

    @E11
    场景: 选举结果报上级批准，换届完成，审计记录可校验
      当 依次执行以下步骤：
        | 角色               | 步骤            | 数据                                                                 |
        | new_committee      | elect_officers  | {secretary_candidates: [李红], committee_present: 3, secretary_votes: 3} |
        | election_organizer | report_results  |                                                                      |
        | township_committee | approve_results |                                                                      |
      那么 当前状态为 "completed"
      而且 审计记录共 11 条，哈希链完整

    @E11
    场景: 上级不批准选举结果必须说明理由
      当 依次执行以下步骤：
        | 角色               | 步骤            | 数据                                                                 |
        | new_committee      | elect_officers  | {secretary_candidates: [李红], committee_present: 3, secretary_votes: 3} |
        | election_organizer | report_results  |                                                                      |
        | street_committee   | reject_results  |                                                                      |
      那么 操作被拒绝，提示包含 "不批准选举结果必须说明理由"
      当 "street_committee" 执行 "reject_results"，数据为：
        | 字段                     | 值                 |
        | results_rejection_reason | 选举中存在违规行为 |
      那么 当前状态为 "results_rejected"
