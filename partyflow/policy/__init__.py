"""Rules change (规则变更): what a new rules version would do to running instances
(``impact``) and moving them to it (``migrate``)."""
