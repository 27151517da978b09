from flask import Blueprint

bp = Blueprint("spreadsheets", __name__, url_prefix="/spreadsheets")
