"""Stock: the item master and warehouses, units of measure, the append-only ledger (the only writer of
stock), counts with their review, stock requests and the stock spreadsheets."""
