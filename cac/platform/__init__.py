"""The platform of the core: roles, the business calendar, the contact-attempt rule, the queue, form and view
helpers: what every part of the house stands on."""
