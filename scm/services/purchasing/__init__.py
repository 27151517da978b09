"""Purchasing: purchase orders and their lifecycle, their figures, the e-mail to the supplier, receiving
with quality inspection (and what it does to inbound shipments), queries and spreadsheets."""
