"""Every write to the case workflow's tables goes through a function in this package.

cases.py       opening cases, priorities, references, timeline events
workflow.py    the lifecycle and every staff edit of a case
merge.py       merging duplicates and linking related cases
escalation.py  due times and missed-deadline escalation
calldown.py    the life-safety call-down and the morning digest
notices.py     staff notices by SMS and email
retention.py   erasing closed cases' content after the district's period
audit.py       reading and exporting the audit trail
"""
