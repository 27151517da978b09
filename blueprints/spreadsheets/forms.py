from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    pass
