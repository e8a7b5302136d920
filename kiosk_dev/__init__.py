"""Developer tools outside the kiosk core: the scripted demo, the in-process simulator stack, the UI driver.

These import Kivy and ``screens/``; the core (``kiosk/``) never imports them at module level — only the
``kiosk demo`` command loads :mod:`kiosk_dev.demo` when asked to run.
"""
