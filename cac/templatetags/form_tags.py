"""`{% field_group form.field %}`: one field as a Bootstrap 5 group, the markup crispy-forms' bootstrap5 pack gives,
built in Python. The pages every agent opens all day (the customer 360's call form, the filters of the long lists)
render their fields with it: crispy renders each field through a dozen nested templates, which cost those pages more
than all their queries together. Forms opened now and then keep `|as_crispy_field`."""

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_SELECTS = (forms.Select, forms.SelectMultiple)


def _widget_classes(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.ClearableFileInput):
        classes = ["form-control"]
    elif isinstance(widget, forms.CheckboxInput):
        classes = [type(widget).__name__.lower(), "form-check-input"]
    elif isinstance(widget, _SELECTS):
        classes = [type(widget).__name__.lower(), "form-select"]
    else:
        classes = [type(widget).__name__.lower(), "form-control"]
    if field.errors:
        classes.append("is-invalid")
    existing = widget.attrs.get("class", "").split()
    return " ".join(dict.fromkeys([*existing, *classes]))


def _asterisk(required: bool) -> str:
    return mark_safe('<span class="asteriskField">*</span>') if required else ""


@register.simple_tag
def field_group(field: forms.BoundField) -> SafeString:
    if field.is_hidden:
        return field.as_widget()
    auto_id = field.auto_id
    widget = field.as_widget(attrs={"class": _widget_classes(field)})
    required = field.field.required
    errors = ""
    if field.errors:
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((index, auto_id, error) for index, error in enumerate(field.errors, start=1)),
            ),
        )
    hint = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id, field.help_text)
        if field.help_text
        else ""
    )
    widget_class = field.field.widget
    if isinstance(widget_class, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}<label for="{}" class="form-check-label{}">{}{}</label>'
            "{}{}</div></div>",
            auto_id,
            widget,
            field.id_for_label,
            " requiredField" if required else "",
            field.label,
            _asterisk(required),
            errors,
            hint,
        )
    if isinstance(widget_class, forms.ClearableFileInput):
        widget = format_html("<div>{}</div>", widget)
    label = ""
    if field.label:
        label = format_html(
            '<label for="{}" class="form-label{}">{}{}</label>',
            field.id_for_label,
            " requiredField" if required else "",
            field.label,
            _asterisk(required),
        )
    return format_html('<div id="div_{}" class="mb-3">{}{}{}{}</div>', auto_id, label, widget, errors, hint)
