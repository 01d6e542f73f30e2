-- Small wishes (微心愿, issue 18): a resident's small wish (a wheelchair, a handrail, tutoring,
-- a health check, legal advice) posted for one unit, claimed and fulfilled by a partner unit
-- (共建单位, members.role = 'partner'), and confirmed by the resident or the committee.
-- Status path (planner.wishes.rules): open → claimed → fulfilled → confirmed; a claim may be
-- released (claimed → open); a wish may be cancelled before it is fulfilled.
CREATE TABLE wishes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id     bigint NOT NULL REFERENCES estates(id),
    household_id  bigint NOT NULL REFERENCES households(id),
    text          text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    category      text NOT NULL DEFAULT 'other',
    status        text NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'claimed', 'fulfilled', 'confirmed', 'cancelled')),
    posted_by     bigint NOT NULL REFERENCES members(id),
    posted_at     timestamptz NOT NULL DEFAULT now(),
    claimed_by    bigint REFERENCES members(id),
    claimed_at    timestamptz,
    fulfilled_at  timestamptz,
    fulfil_note   text CHECK (length(fulfil_note) <= 2000),
    confirmed_by  bigint REFERENCES members(id),
    confirmed_at  timestamptz,
    cancelled_by  bigint REFERENCES members(id),
    cancelled_at  timestamptz,
    CHECK (status NOT IN ('claimed', 'fulfilled', 'confirmed') OR claimed_by IS NOT NULL)
);
CREATE INDEX wishes_estate ON wishes (estate_id, id);
CREATE INDEX wishes_claimed_by ON wishes (claimed_by) WHERE claimed_by IS NOT NULL;

-- A partner unit's pledge of money to a work: it is a funding source (funding_sources) the
-- optimiser may use for that work only. Withdrawn (while no approved plan uses it): the
-- source's budget goes to 0 and the pledge stays, marked withdrawn.
CREATE TABLE pledges (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id          bigint NOT NULL REFERENCES estates(id),
    work_id            bigint NOT NULL REFERENCES works(id),
    partner_id         bigint NOT NULL REFERENCES members(id),
    amount_fen         bigint NOT NULL CHECK (amount_fen > 0),
    note               text CHECK (length(note) <= 2000),
    funding_source_id  bigint NOT NULL UNIQUE REFERENCES funding_sources(id),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    withdrawn_at       timestamptz
);
CREATE INDEX pledges_estate ON pledges (estate_id, id);

-- The live audience of wishes and pledges (planner.live.visibility): every member but
-- suppliers, partner units included. Added to whatever audiences the constraint allows by
-- then (another migration of the same issue may add its own), once.
DO $$
DECLARE
    allowed text;
BEGIN
    SELECT pg_get_constraintdef(oid) INTO allowed
    FROM pg_constraint
    WHERE conrelid = 'events'::regclass AND conname = 'events_audience_check';
    IF allowed IS NULL THEN
        ALTER TABLE events ADD CONSTRAINT events_audience_check
            CHECK (audience IN ('all', 'members', 'staff', 'supplier', 'bidder', 'wishes'));
    ELSIF position('''wishes''' IN allowed) = 0 THEN
        ALTER TABLE events DROP CONSTRAINT events_audience_check;
        EXECUTE 'ALTER TABLE events ADD CONSTRAINT events_audience_check '
            || replace(allowed, 'ARRAY[', 'ARRAY[''wishes''::text, ');
    END IF;
END
$$;
