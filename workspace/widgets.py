"""Filter widgets drawn in Python: the same markup as Django's select and input templates.

A filter form is drawn on every refresh of a page counselors keep open (the case queue's
seven filters). Django renders each widget through the template engine, a select through a
template per option; bench/queue_pages.py measured the form at about a fifth of the queue's
server time. These widgets build the identical markup with format_html (every value, label
and attribute escaped) and fall back to Django's own rendering for what they do not draw
(grouped choices). tests/workspace/test_filter_widgets.py compares both renderings.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def attributes_html(attrs: dict) -> str:
    """Django's attrs.html: ` name="value"` per attribute, a bare name for True, nothing
    for False; every value escaped."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(format_html(" {}", name))
        else:
            parts.append(format_html(' {}="{}"', name, str(value)))
    return "".join(parts)


class FilterSelect(forms.Select):
    """A single select, drawn as workspace/widgets/select.html draws it."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        choices = list(self.choices)
        if self.allow_multiple_selected or any(
            isinstance(label, (list, tuple)) for _value, label in choices
        ):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        options, chosen = [], False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not chosen and option_value in wanted
            chosen = chosen or selected
            # format_html per option cost more than the rest of the select: the same
            # escaping (conditional_escape, as format_html applies), in an f-string.
            options.append(
                f'<option value="{conditional_escape(option_value)}"'
                f"{' selected' if selected else ''}>{conditional_escape(label)}</option>"
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            mark_safe(attributes_html(self.build_attrs(self.attrs, attrs))),  # noqa: S308 - escaped
            mark_safe("".join(options)),  # noqa: S308 - each option escaped above
        )


class FilterSearchInput(forms.TextInput):
    """A text input (type from attrs, "search" for a search box), drawn as Django's
    input.html draws it."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        value = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            mark_safe("" if value is None else f' value="{conditional_escape(value)}"'),  # noqa: S308
            mark_safe(attributes_html(self.build_attrs(self.attrs, attrs))),  # noqa: S308 - escaped
        )
