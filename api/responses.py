"""The service's JSON answers: UTF-8 when the text allows it, escaped ASCII when it does not."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse
from typing_extensions import override


class SafeJSONResponse(JSONResponse):
    """A JSON answer that never fails on text that is not valid Unicode.

    Bodies are checked at the boundary, but a string with a lone surrogate stored before
    that check (or produced anywhere else) is sent as a ``\\udxxx`` escape, which is valid
    JSON, instead of failing the request.
    """

    @override
    def render(self, content: Any) -> bytes:
        """Compact UTF-8 JSON; ASCII with escapes when the text holds a lone surrogate."""
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()
