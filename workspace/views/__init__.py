"""The counselor workspace: queues, the case page, actions on cases, the audit trail."""
