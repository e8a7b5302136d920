"""Offline voice prompts: catalog, synthesis cache, clerk-style numbers, composition and the player.

See docs/voice.md. Nothing here imports Kivy; :mod:`screens.audio` (the app side) loads Kivy's audio when a sound
is first played.
"""
