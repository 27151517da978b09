"""Logistics: shipments (inbound, transfer, outbound), carriers, tracking events and the carrier
webhook, delay detection, the review of unknown tracking numbers, and what is on its way (inbound)."""
