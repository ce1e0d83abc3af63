"""Progress reporting and cancellation, independent of QGIS.

The QGIS glue adapts ``QgsProcessingFeedback`` / ``QgsTask`` to this interface.
"""
from .errors import CancelledError


class Progress:
    """Reports fractions in [0, 1] and messages; ``check()`` raises on cancel."""

    def __init__(self, on_progress=None, on_message=None, is_cancelled=None):
        self._on_progress = on_progress
        self._on_message = on_message
        self._is_cancelled = is_cancelled

    def update(self, fraction, message=None):
        if self._on_progress is not None:
            self._on_progress(max(0.0, min(1.0, float(fraction))))
        if message:
            self.info(message)
        self.check()

    def info(self, message):
        if self._on_message is not None:
            self._on_message(str(message))

    @property
    def cancelled(self):
        return bool(self._is_cancelled and self._is_cancelled())

    def check(self):
        if self.cancelled:
            raise CancelledError("Cancelled by the user.")

    def sub(self, start, end):
        """A Progress mapping [0, 1] onto [start, end] of this one."""
        parent = self

        def scaled(f):
            if parent._on_progress is not None:
                parent._on_progress(start + (end - start) * max(0.0, min(1.0, f)))

        return Progress(scaled, self._on_message, self._is_cancelled)


NULL_PROGRESS = Progress()
