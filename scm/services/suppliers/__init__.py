"""Suppliers: profiles, certifications, the supplier catalog with price breaks, sourcing (dual sourcing
and who gets an order), scorecards computed from what happened, and standings that act."""
