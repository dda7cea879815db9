"""The lifetime budget: per-block accounting, the family plan, the ledger and its migration."""
