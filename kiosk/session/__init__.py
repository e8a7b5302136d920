"""The resident session: the single decider of what the kiosk shows (see docs/app-contract.md).

``controller`` holds :class:`~kiosk.session.controller.SessionController`; ``state`` the view state screens
read; ``text`` the sentences the session decides to show; the other modules are its flows (identify,
services and forms, phone hand-off, staff).
"""
