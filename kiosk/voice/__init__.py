"""Offline voice prompts: catalog, synthesis cache, clerk-style numbers, composition and the player.

See docs/voice.md. Nothing here imports Kivy; :mod:`kiosk.voice.sdl` loads Kivy's audio only when a sound
is first played.
"""
