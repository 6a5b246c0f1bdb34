Feature: Engine guarantees on a real procedure
  Refusals name who may act and what is missing; retries never double a step;
  the audit trail verifies.

  Background:
    Given the time is "2026-03-02T09:00:00+00:00"

  Scenario: The wrong role is refused and told who may act
    Given "applicant" starts "branch_establishment" with:
      | field        | value            |
      | full_members | 9                |
      | org_form     | branch           |
      | parent_org   | dongcheng-street |
    When "applicant" fires "submit"
    And "applicant" fires "approve"
    Then the step is refused with "allowed: District committee organization department(district_committee), Street party working committee(street_committee)"
    And the state is "under_review"

  Scenario: A retried request with the same idempotency key is recorded once
    Given "applicant" starts "branch_establishment" with:
      | field        | value            |
      | full_members | 9                |
      | org_form     | branch           |
      | parent_org   | dongcheng-street |
    When "applicant" fires "submit" with key "req-1"
    And "applicant" fires "submit" with key "req-1"
    Then the state is "under_review"
    And the audit trail has 2 records and verifies

  @B6
  Scenario: A request outside the hierarchy must name its reviewing superior before it is submitted
    Given "applicant" starts "branch_establishment" with:
      | field        | value  |
      | full_members | 9      |
      | org_form     | branch |
    When "applicant" fires "submit"
    Then the step is refused with "The reviewing superior must be given"
    And the state is "requested"
