"""Hardening of the API process: response headers, the request JSON guard and the modes of
the data files Spotter writes. Each module is pure ASGI or plain Python, so any server that
runs the app (uvicorn, a test client) gets the same protection."""
