"""The dealer's events from the DMS: deliveries and repair orders, recorded by hand or imported as CSV."""
