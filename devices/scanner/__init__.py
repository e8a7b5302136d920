"""The serial 2D (QR) scanner: byte protocol, model profiles, driver and simulator.

Import the submodule you need (``devices.scanner.driver``, ``.protocol``, ``.simulator``); importing this
package does nothing.
"""
