"""Terminal gateway: signed HTTPS client, durable submission outbox, and a gateway simulator.

The contract lives in ``docs/openapi.yaml``. Importing this package does nothing (no sockets, no threads,
no files); see ``client``, ``outbox``, ``sender``, ``submissions``, and the ``simulator`` package.
"""
