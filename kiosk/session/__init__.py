"""The resident session: the single decider of what the kiosk shows (see docs/app-contract.md).

``controller`` is the coordinator (:class:`~kiosk.session.controller.SessionController`: navigation, wipe,
tick); one collaborator per concern — ``identify`` (card and QR), ``services`` (services and forms),
``handoff`` (long fields typed on the phone), ``printing``, ``staff``, ``idle`` (countdown, opening hours)
— shares ``core`` (view state, tasks, token, clocks; the typed runtime interface). ``state`` holds the
view dataclasses screens read and ``text`` the sentences the session decides to show.
"""
