"""The form renderer: Django's widgets render with their Jinja2 templates (the same HTML, several times faster, and
list pages render selects of many options); widgets that have only Django templates (the admin's) render with
those."""

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(Jinja2):
    _fallback = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._fallback.get_template(template_name)
