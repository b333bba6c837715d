"""Session Lens' server-side companion for Flask: one X-Session-Lens header per response.

    from flask_session_lens import SessionLens
    app.config["SESSION_LENS_ENABLED"] = True   # development only
    SessionLens(app)

See README.md for the header's format.
"""

from .extension import SessionLens, SessionLensInterface
from .report import FORMAT_VERSION, HEADER_NAME

__all__ = ["FORMAT_VERSION", "HEADER_NAME", "SessionLens", "SessionLensInterface"]
__version__ = "0.1.0"
