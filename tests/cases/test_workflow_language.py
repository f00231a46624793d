"""A refused status move names the statuses in the language of whoever reads the refusal
(their names, never the codes "in_progress" or "closed"), whatever language was active when
the move was refused."""

import pytest
from django.utils import translation

from cases.models import CaseStatus, Outcome
from cases.services.workflow import (
    CaseWorkflowError,
    case_close,
    case_resolve,
    case_set_tags,
    case_status_change,
)
from tests.factories import case_factory

pytestmark = pytest.mark.django_db


def _refusal(call) -> CaseWorkflowError:
    with pytest.raises(CaseWorkflowError) as caught:
        call()
    return caught.value


def test_it_names_the_statuses_of_a_refused_move_in_the_readers_language(personas):
    case = case_factory(personas.school_a)
    case_close(case=case, outcome=Outcome.UNFOUNDED, summary="Nothing.", actor=personas.counselor_a)
    with translation.override("en"):  # refused while English is active ...
        error = _refusal(
            lambda: case_status_change(case=case, status=CaseStatus.NEW, actor=personas.counselor_a)
        )
    with translation.override("es"):  # ... read by a Spanish speaker
        assert " ".join(error.messages) == "Un caso no puede pasar de “Cerrado” a “Nuevo”."
    with translation.override("en"):
        assert " ".join(error.messages) == "A case cannot move from “Closed” to “New”."


def test_it_names_statuses_not_codes_when_resolving_a_closed_case(personas):
    case = case_factory(personas.school_a)
    case_close(case=case, outcome=Outcome.UNFOUNDED, summary="Nothing.", actor=personas.counselor_a)
    error = _refusal(
        lambda: case_resolve(
            case=case, outcome=Outcome.OTHER, summary="Done.", actor=personas.counselor_a
        )
    )
    with translation.override("es"):
        text = " ".join(error.messages)
    assert text == "Un caso no puede pasar de “Cerrado” a “Resuelto”."
    assert "closed" not in text and "resolved" not in text


def test_it_refuses_unknown_categories_in_spanish(personas):
    case = case_factory(personas.school_a)
    error = _refusal(
        lambda: case_set_tags(case=case, categories=["made_up"], actor=personas.counselor_a)
    )
    with translation.override("es"):
        assert " ".join(error.messages) == "Elija al menos una categoría conocida."
