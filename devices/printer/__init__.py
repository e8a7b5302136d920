"""The 80 mm ESC/POS receipt printer: document model, encoder, profiles, parser/renderer, driver, simulator.

Import the submodule you need (``devices.printer.driver``, ``.encoder``, ``.simulator``); importing this
package does nothing.
"""
