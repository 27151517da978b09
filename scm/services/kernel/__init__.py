"""The shared kernel every area uses: domain errors, actors, the audit log, one transaction per user
action, idempotency keys, accounts and tokens, outgoing mail and its outbox, job-run bookkeeping, bulk
inserts, JSON input limits and currency codes. It imports no business area."""
