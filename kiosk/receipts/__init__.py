"""Receipt layouts for the kiosk printer and their PNG preview.

``from kiosk.receipts import queue_ticket, submission_receipt, appointment_receipt, record_printout,
service_guide, licence_copy, test_page, render_png`` — every layout returns a
``devices.printer.document.Document`` that ``Printer.submit()`` prints and ``render_png()`` previews. Importing this does nothing else.
"""
from kiosk.receipts.appointment import appointment_receipt
from kiosk.receipts.layouts import licence_copy, queue_ticket, service_guide, submission_receipt, test_page
from kiosk.receipts.preview import render_png
from kiosk.receipts.record import record_printout

__all__ = ["queue_ticket", "submission_receipt", "appointment_receipt", "record_printout", "service_guide",
           "licence_copy", "test_page", "render_png"]
