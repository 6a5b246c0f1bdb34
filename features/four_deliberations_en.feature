@four_deliberations
Feature: Four deliberations and two publications (English steps)
  A major village matter goes, in this order only, through the party organization's proposal,
  the two-committee meeting, the members' meeting and the villagers' (representatives') meeting,
  then the resolution and the implementation results are published under the supervision committee.

  Background:
    Given the time is "2026-03-02T09:00:00+00:00"
    # the matter belongs to the xingguang community (examples/hierarchy.csv); a step written
    # with a role only is taken by that community's body in that role
    And instances start with these defaults:
      | field       | value     |
      | village_org | xingguang |

  @D1 @D2
  Scenario: When the secretary is also the director, proposal and deliberation are one step
    Given "village_party_org" starts "four_deliberations" with:
      | field                 | value               |
      | matter                | Village road repair |
      | secretary_is_director | true                |
    When "village_party_org" fires "propose" with:
      | field             | value |
      | committee_members | 7     |
      | committee_yes     | 4     |
    Then the state is "deliberated"
    And the audit trail has 2 records and verifies

  @D1
  Scenario: A step cannot be skipped
    Given "village_party_org" starts "four_deliberations" with:
      | field                 | value |
      | secretary_is_director | false |
    When "village_party_org" fires "propose"
    And "village_party_org" fires "review"
    Then the step is refused with "review cannot be fired from state proposed"
    And the state is "proposed"

  @D5
  Scenario: A representatives' meeting needs at least two thirds of its members present
    Given "village_party_org" starts "four_deliberations" with:
      | field                 | value |
      | secretary_is_director | true  |
    When "village_party_org" fires "propose" with:
      | field             | value |
      | committee_members | 7     |
      | committee_yes     | 5     |
    And "village_party_org" fires "review" with:
      | field           | value |
      | full_members    | 40    |
      | members_present | 35    |
      | members_yes     | 30    |
    And "villagers_committee" fires "resolve" with:
      | field              | value                   |
      | resolving_present  | 29                      |
      | resolving_yes      | 25                      |
      | resolving_meeting  | representatives_meeting |
      | resolving_expected | 45                      |
    Then the step is refused with "29 at the villagers' representatives' meeting, fewer than 2/3 of its 45 members"
    When "villagers_committee" fires "resolve" with:
      | field              | value                   |
      | resolving_present  | 30                      |
      | resolving_yes      | 16                      |
      | resolving_meeting  | representatives_meeting |
      | resolving_expected | 45                      |
    Then the state is "resolved"
