"""Supply chain and inventory management: the application package (no request handling here)."""
