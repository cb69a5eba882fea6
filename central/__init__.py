"""The office's central server: kiosks push cases, officers decide, the bank's payments come in.

Stateless processes over one database (PostgreSQL in production, SQLite for the embedded demo):
any number of `kiosk-central serve` processes can answer the same kiosks.
"""
