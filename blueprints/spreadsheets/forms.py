from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class UploadForm(FlaskForm):
    file = FileField("Spreadsheet (.xlsx or .csv)", validators=[FileRequired("choose a file to upload")])


class ConfirmForm(FlaskForm):
    pass
