"""Operations of an unattended terminal: heartbeat to the service centre, alerts, systemd watchdog, remote config.

Everything here runs on background threads started by ``kiosk.runtime``; nothing imports Kivy.
"""
