"""Kivy screens: one ``<name>.py`` + ``<name>.kv`` pair per screen. Never touches serial, HTTP or SQLite."""
