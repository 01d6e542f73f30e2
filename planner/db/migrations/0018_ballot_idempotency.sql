-- A retried cast is recorded once (issue 16, offline voting).
-- idempotency_key: the key the client sent with the cast (the body field "idempotency_key"),
-- stored on every ballot row of that cast in the same transaction. It is scoped to the member
-- and the motion: the same key from another member, or on another motion, is another cast.
-- A retry with the key answers the original receipts instead of casting again.
ALTER TABLE ballots ADD COLUMN idempotency_key text
    CHECK (idempotency_key IS NULL OR length(idempotency_key) BETWEEN 8 AND 64);
CREATE UNIQUE INDEX ballots_idempotency
    ON ballots (motion_id, cast_by, idempotency_key, household_id)
    WHERE idempotency_key IS NOT NULL;
