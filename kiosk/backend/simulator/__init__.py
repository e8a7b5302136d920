"""The gateway simulator: an HTTPS server implementing docs/openapi.yaml for development and tests.

``server`` is the HTTP plumbing and :class:`~kiosk.backend.simulator.server.GatewaySimulator`; ``handlers``
one function per endpoint; ``handoff`` the phone hand-off endpoints; ``help``
the 一键求助 endpoints and the duty desk; ``console`` the duty console page; ``scan`` the codes a resident
shows the scanner (随申码, pick-up, check-in); ``slots`` the appointment slots; ``data`` the invented sample data.
The kiosk itself never imports this package.
"""
