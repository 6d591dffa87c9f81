"""Rooms as an edge box and a wall screen see them: what runs there now."""
