"""Members' control over their health data (issue 20): their choices (consent), export,
erasure, retention and the access log. Storage lives in :mod:`db.privacy`."""
