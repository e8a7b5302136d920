"""一网通办 self-service kiosk core: session, catalog, backend client, outbox, config, i18n, CLI.

Nothing in this package imports Kivy except ``kiosk.app``.
"""
__version__ = "0.1.0"
