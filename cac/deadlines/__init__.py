"""The deadline engine, the notifications it writes and the SMS the workflows send."""
