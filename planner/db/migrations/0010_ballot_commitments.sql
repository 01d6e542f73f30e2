-- The audit chain covers the ballots (issue 15, item 6).
-- ballot_secret: the per-motion key of the ballot commitments that ballot.cast events carry
-- (HMAC-SHA-256 of motion, ballot, unit, choice and cast time); set when the motion opens,
-- never sent to a client, used by `planner audit verify` to recount the motion from the chain.
-- close_head_*: the estate's event-stream head right after the close was recorded (the
-- motion.closed or meeting.closed event itself); the minutes and the receipts print it, so a
-- chain truncated back before it is caught by `planner audit verify --expect-head <hash>`.
ALTER TABLE motions
    ADD COLUMN ballot_secret    bytea,
    ADD COLUMN close_head_seq   bigint,
    ADD COLUMN close_head_hash  bytea;
ALTER TABLE meetings
    ADD COLUMN close_head_seq   bigint,
    ADD COLUMN close_head_hash  bytea;
