-- Revoking a committee member needs the admin, or a second committee member's confirmation:
-- the first one's request waits here (one pending request per member) until another
-- committee member or the admin confirms it, or the one who asked (or the admin) withdraws it.
CREATE TABLE revocation_requests (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id     bigint NOT NULL REFERENCES estates(id),
    member_id     bigint NOT NULL REFERENCES members(id),
    requested_by  bigint NOT NULL REFERENCES members(id),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'confirmed', 'withdrawn')),
    decided_by    bigint REFERENCES members(id),
    decided_at    timestamptz,
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status <> 'confirmed' OR (decided_by IS NOT NULL AND decided_by <> requested_by))
);
CREATE UNIQUE INDEX revocation_requests_one_pending ON revocation_requests (member_id)
    WHERE status = 'pending';
CREATE INDEX revocation_requests_estate ON revocation_requests (estate_id, status);
