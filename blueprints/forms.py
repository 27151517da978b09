"""Form pieces the pages of several areas use (each area's own forms live in its package)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField


class PlainDecimalField(DecimalField):
    """A decimal shown as people write it (1900, 2.25), not as stored (1900.000, 2.2500); the service
    checks the number of decimals."""

    def _value(self) -> str:
        if self.raw_data is not None and self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return f"{self.data.normalize():f}" if hasattr(self.data, "normalize") else str(self.data)


class UploadForm(FlaskForm):
    file = FileField("Spreadsheet (.xlsx or .csv)", validators=[FileRequired("choose a file to upload")])
