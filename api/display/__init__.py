"""The studio's wall screen (``/display/{room}``): room display tokens, members' wall
names, and the live tiles a TV shows (no alerts, no health details)."""
