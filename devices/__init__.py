"""Device layer: card reader and receipt printer drivers, their byte protocols and simulators.

Nothing here imports Kivy; importing a module opens no port and starts no thread.
"""
