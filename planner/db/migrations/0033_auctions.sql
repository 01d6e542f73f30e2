-- Live reverse auctions after the sealed opening (issue 20). The schedule is deterministic:
-- round r's turn k runs from starts_at + (r-1)*(n*turn_seconds + pause_seconds) +
-- k*turn_seconds for turn_seconds (n = bidder_count), see planner.auction.rules. The
-- bidders, their numbers (drawn at random) and start prices are fixed at creation; the bids
-- are append-only. steps_done counts the announced boundaries (turns, round ends, the
-- finish) so that, with several instances, each is announced exactly once.

CREATE TABLE auctions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id       bigint NOT NULL REFERENCES estates(id),
    work_id         bigint NOT NULL REFERENCES works(id),
    status          text NOT NULL DEFAULT 'scheduled'
                    CHECK (status IN ('scheduled', 'running', 'finished', 'cancelled')),
    rounds          integer NOT NULL CHECK (rounds BETWEEN 1 AND 10),
    turn_seconds    integer NOT NULL CHECK (turn_seconds BETWEEN 1 AND 3600),
    pause_seconds   integer NOT NULL CHECK (pause_seconds BETWEEN 0 AND 3600),
    min_step_pct    numeric(7, 4) CHECK (min_step_pct > 0 AND min_step_pct <= 50),
    min_step_fen    bigint CHECK (min_step_fen >= 1),
    min_bidders     integer NOT NULL CHECK (min_bidders BETWEEN 2 AND 50),
    bidder_count    integer NOT NULL CHECK (bidder_count BETWEEN 2 AND 50),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    steps_done      integer NOT NULL DEFAULT 0 CHECK (steps_done >= 0),
    -- when the next boundary is due; null once finished or cancelled
    next_step_at    timestamptz,
    -- the highest quote round the finish wrote (each bidder's is in auction_bidders)
    result_round    integer,
    created_by      bigint REFERENCES members(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    cancelled_at    timestamptz,
    CHECK (num_nonnulls(min_step_pct, min_step_fen) = 1),
    CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX auctions_one_live ON auctions (work_id)
    WHERE status IN ('scheduled', 'running');
CREATE INDEX auctions_due ON auctions (next_step_at) WHERE next_step_at IS NOT NULL;
CREATE INDEX auctions_work ON auctions (work_id, id);

CREATE TABLE auction_bidders (
    auction_id      bigint NOT NULL REFERENCES auctions(id),
    number          integer NOT NULL CHECK (number >= 1),
    supplier_id     bigint NOT NULL REFERENCES suppliers(id),
    quote_id        bigint NOT NULL REFERENCES quotes(id),
    -- the quote's latest round and its total when the auction was created
    start_round     integer NOT NULL,
    start_fen       bigint NOT NULL CHECK (start_fen >= 0),
    -- the quote round the finish wrote
    result_round    integer,
    PRIMARY KEY (auction_id, number),
    UNIQUE (auction_id, supplier_id)
);

CREATE TABLE auction_bids (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    auction_id      bigint NOT NULL REFERENCES auctions(id),
    round           integer NOT NULL CHECK (round >= 1),
    number          integer NOT NULL,
    total_fen       bigint NOT NULL CHECK (total_fen >= 1),
    by_member_id    bigint REFERENCES members(id),
    at              timestamptz NOT NULL,
    FOREIGN KEY (auction_id, number) REFERENCES auction_bidders (auction_id, number)
);
CREATE INDEX auction_bids_auction ON auction_bids (auction_id, id);

CREATE TRIGGER auction_bids_immutable BEFORE UPDATE OR DELETE ON auction_bids
    FOR EACH ROW EXECUTE FUNCTION negotiation_refuse_change();

-- The live audience of auction events (planner.live.visibility): staff and the members of
-- the suppliers invited to the event's work. Added to whatever audiences the constraint
-- allows by then, once (as 0027 added 'wishes').
DO $$
DECLARE
    allowed text;
BEGIN
    SELECT pg_get_constraintdef(oid) INTO allowed
    FROM pg_constraint
    WHERE conrelid = 'events'::regclass AND conname = 'events_audience_check';
    IF allowed IS NULL THEN
        ALTER TABLE events ADD CONSTRAINT events_audience_check
            CHECK (audience IN ('all', 'members', 'staff', 'supplier', 'bidder', 'wishes',
                                'auction'));
    ELSIF position('''auction''' IN allowed) = 0 THEN
        ALTER TABLE events DROP CONSTRAINT events_audience_check;
        EXECUTE 'ALTER TABLE events ADD CONSTRAINT events_audience_check '
            || replace(allowed, 'ARRAY[', 'ARRAY[''auction''::text, ');
    END IF;
END
$$;
