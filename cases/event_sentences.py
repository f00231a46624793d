"""Timeline and audit events as sentences in the reader's language.

A CaseEvent's `data` holds ids, codes and field names (so it can be exported and never
carries tip text); people read it as a sentence: "Alice Counselor assigned the case to Bob
Counselor", "Priority raised from Routine to Life-safety". One place words them, for the case
page's timeline, the audit page and the audit export's `description` column, in the active
language (gettext): staff read them in their own.

`EventSentences(events)` looks up, in one query each, the people and cases the events name
by id; `.sentence(event)` words one event. A staff member's reason (`staff_reason`) is added
only when asked (`with_reasons=True`, the case page); the audit page and export never read it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    Channel,
    Outcome,
    PartnerContact,
    Priority,
)

# Keys of event data that hold a user id / a case id.
USER_KEYS = (
    "assignee_id",
    "previous_assignee_id",
    "watcher_added",
    "watcher_removed",
    "to_user_id",
)
CASE_KEYS = ("merged_into_id", "linked_case_id", "unlinked_case_id")

K = CaseEvent.Kind

# Events about a share with a partner: their data names the contact by id.
SHARE_KINDS = frozenset({K.SHARED, K.SHARE_REVOKED, K.PARTNER_VIEWED, K.PARTNER_CODE_FAILED})

_KEYWORD_TEXTS = {
    "opt_out": gettext_lazy(
        "%(alias)s texted %(word)s: opted out of texts (replies are refused until they text "
        "START or COMENZAR)"
    ),
    "opt_in": gettext_lazy("%(alias)s texted %(word)s: texts are back on"),
    "help": gettext_lazy("%(alias)s texted %(word)s: the help text was sent"),
}

# What a "viewed" event's `what` names, as words.
_VIEWED_WHAT = {
    "audit trail": gettext_lazy("%(actor)s read the case's audit trail"),
    "audit trail export": gettext_lazy("%(actor)s exported the case's audit trail"),
}

_DEADLINES = {
    "acknowledge": gettext_lazy("acknowledgement"),
    "first_response": gettext_lazy("first response"),
}


def person(user: User | None) -> str:
    """How a staff member is named in a sentence."""
    if user is None:
        return _("a former staff member")
    return user.get_full_name() or user.email


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


class EventSentences:
    """Words a batch of events; the people and cases they name are fetched once."""

    def __init__(self, events: Iterable[CaseEvent]):
        user_ids, case_ids, contact_ids = set(), set(), set()
        for event in events:
            data = event.data or {}
            if event.kind in SHARE_KINDS:
                contact_ids.add(data.get("contact_id"))
            user_ids.update(data.get(key) for key in USER_KEYS)
            case_ids.update(data.get(key) for key in CASE_KEYS)
            for value in (data.get("changes") or {}).get("assignee") or ():
                user_ids.add(value)
        user_ids.discard(None)
        case_ids.discard(None)
        contact_ids.discard(None)
        self.contacts = (
            PartnerContact.objects.select_related("agency").in_bulk(contact_ids)
            if contact_ids
            else {}
        )
        self.users = {u.id: u for u in User.objects.filter(id__in=user_ids)} if user_ids else {}
        self.references = (
            dict(Case.objects.filter(id__in=case_ids).values_list("id", "reference"))
            if case_ids
            else {}
        )

    def _user(self, user_id) -> str:
        return person(self.users.get(user_id))

    def _ref(self, case_id) -> str:
        return self.references.get(case_id, "?")

    def sentence(self, event: CaseEvent, *, with_reasons: bool = False) -> str:
        text = self._sentence(event)
        if with_reasons and event.staff_reason:
            text += " · " + _("reason: %(reason)s") % {"reason": event.staff_reason}
        return text

    def _sentence(self, event: CaseEvent) -> str:
        data, kind = event.data or {}, event.kind
        changes = data.get("changes") or {}
        actor = person(event.actor) if event.actor_id else None
        who = {"actor": actor or _("The system")}
        if kind == K.CREATED:
            return _("Case opened (%(channel)s), priority %(priority)s") % {
                "channel": _label(Channel, data.get("channel")),
                "priority": _label(Priority, data.get("priority")),
            }
        if kind == K.VIEWED:
            what = data.get("what") or "case"
            if what == "case":
                return _("%(actor)s read the case") % who
            template = _VIEWED_WHAT.get(what)
            if template is not None:
                return str(template) % who
            return _("%(actor)s read: %(what)s") % {**who, "what": what}
        if kind == K.STATUS_CHANGED and "status" in changes:
            old, new = (_label(CaseStatus, value) for value in changes["status"])
            text = _("%(actor)s moved the case from %(old)s to %(new)s") % {
                **who,
                "old": old,
                "new": new,
            }
            outcome = (changes.get("outcome") or [None, None])[1]
            if outcome:
                text += " · " + _("outcome: %(outcome)s") % {"outcome": _label(Outcome, outcome)}
            return text
        if kind == K.PRIORITY_CHANGED and "priority" in changes:
            old_value, new_value = changes["priority"]
            old, new = _label(Priority, old_value), _label(Priority, new_value)
            raised = new_value < old_value
            if actor is None:
                template = (
                    _("Priority raised from %(old)s to %(new)s")
                    if raised
                    else _("Priority lowered from %(old)s to %(new)s")
                )
            else:
                template = (
                    _("%(actor)s raised the priority from %(old)s to %(new)s")
                    if raised
                    else _("%(actor)s lowered the priority from %(old)s to %(new)s")
                )
            return template % {**who, "old": old, "new": new}
        if kind == K.ASSIGNED:
            assignee_id = data.get("assignee_id")
            if assignee_id is None:
                return _("%(actor)s unassigned the case") % who
            if data.get("via") == "acknowledge":
                return _("%(actor)s took the case by acknowledging it") % who
            if assignee_id == event.actor_id:
                return _("%(actor)s took the case") % who
            return _("%(actor)s assigned the case to %(assignee)s") % {
                **who,
                "assignee": self._user(assignee_id),
            }
        if kind == K.TAGS_CHANGED:
            parts = [f"+{_label(Category, c)}" for c in data.get("added", [])]
            parts += [f"−{_label(Category, c)}" for c in data.get("removed", [])]
            return _("%(actor)s changed the tags: %(tags)s") % {
                **who,
                "tags": ", ".join(parts) or "—",
            }
        if kind == K.MERGED:
            if data.get("merged_into_id"):
                return _("%(actor)s merged this case into case %(ref)s as a duplicate") % {
                    **who,
                    "ref": self._ref(data["merged_into_id"]),
                }
            return _("Case %(ref)s merged into this one") % {
                "ref": data.get("merged_reference", "?")
            }
        if kind == K.LINKED:
            if data.get("unlinked_case_id"):
                return _("%(actor)s unlinked this case from case %(ref)s") % {
                    **who,
                    "ref": self._ref(data["unlinked_case_id"]),
                }
            return _("%(actor)s linked this case to case %(ref)s") % {
                **who,
                "ref": self._ref(data.get("linked_case_id")),
            }
        if kind == K.WATCHERS_CHANGED:
            if data.get("watcher_added"):
                return _("%(who)s is watching") % {"who": self._user(data["watcher_added"])}
            return _("%(who)s stopped watching") % {"who": self._user(data.get("watcher_removed"))}
        if kind == K.ESCALATED and data.get("to_user_id"):
            text = _("The case was escalated to %(who)s") % {"who": self._user(data["to_user_id"])}
            deadline = _DEADLINES.get(data.get("deadline"))
            if deadline:
                text += " · " + _("missed deadline: %(d)s") % {"d": deadline}
            return text
        if kind == K.MESSAGE_UNDELIVERED:
            text = _("A message to the tipster was not delivered")
            return text + (f" · {data['reason']}" if data.get("reason") else "")
        if kind == K.SMS_KEYWORD:
            template = _KEYWORD_TEXTS.get(
                data.get("keyword"), gettext_lazy("%(alias)s texted %(word)s")
            )
            return str(template) % {"alias": data.get("alias", "?"), "word": data.get("word", "?")}
        if kind == K.ACKNOWLEDGED:
            if data.get("first") is False:
                return _("%(actor)s acknowledged the case (already acknowledged)") % who
            return _("%(actor)s acknowledged the case") % who
        if kind == K.ATTACHMENT_VIEWED:
            return _("%(actor)s downloaded a file") % who
        if kind == K.TIP_ADDED:
            return _("A tip was added to the case")
        if kind == K.ALERT_ADDED:
            return _("%(actor)s put a social-post alert on the case") % who
        if kind == K.MESSAGE_RECEIVED:
            return _("The tipster sent a message")
        if kind == K.MESSAGE_SENT:
            return _("%(actor)s sent a message to the tipster") % who
        if kind == K.NOTE_ADDED:
            return _("%(actor)s added an internal note") % who
        if kind in SHARE_KINDS:
            return self._share_sentence(event)
        if kind == K.PURGED:
            return _("The case's content was erased (retention)")
        return _("%(actor)s: %(what)s") % {**who, "what": event.get_kind_display()}

    def _share_sentence(self, event: CaseEvent) -> str:
        """A partner event, naming the agency and contact (the event keeps their ids only)."""
        data = event.data or {}
        contact = self.contacts.get(data.get("contact_id"))
        who = f"{contact.agency.name}: {contact.name}" if contact else _("a former partner contact")
        if event.kind == K.SHARED:
            parts = [
                _("with files") if data.get("with_attachments") else _("without files"),
                _("with messages") if data.get("with_messages") else _("without messages"),
            ]
            return _("Shared with %(who)s for %(hours)s hours (%(parts)s)") % {
                "who": who,
                "hours": data.get("hours", "?"),
                "parts": ", ".join(str(part) for part in parts),
            }
        if event.kind == K.SHARE_REVOKED:
            return _("Access of %(who)s revoked") % {"who": who}
        if event.kind == K.PARTNER_VIEWED:
            if data.get("what") == "attachment":
                return _("File downloaded by the partner %(who)s") % {"who": who}
            return _("Viewed by the partner %(who)s") % {"who": who}
        return _("A wrong code was entered on the link of %(who)s") % {"who": who}
