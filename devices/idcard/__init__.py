"""Resident ID-card reader (SAM module, GA 467 / GA/T 467) over a serial port.

``protocol`` (frames, status codes), ``textblock`` (the 256-byte card text), ``card`` (the IdCard record),
``photo`` (optional vendor WLT decoder), ``driver`` (IdCardReader), ``simulator`` (IdCardSimulator) and
``identities`` (fictional sample cards). Importing this package does nothing.
"""
