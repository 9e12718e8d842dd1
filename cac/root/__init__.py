"""The composition root: the modules that may import every app, because they put the house together."""
