"""Date and time formats per language (settings.FORMAT_MODULE_PATH): one format on every page, 24-hour."""
