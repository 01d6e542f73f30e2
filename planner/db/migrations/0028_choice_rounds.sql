-- Choosing works by equal shares (issue 18): choice rounds over candidate works, one approval
-- set per owner (a person: households.owner_key), online or from a paper sheet.

-- ``status``: draft → open → closed. ``secret``: the round's HMAC key for the pseudonyms of
-- the recountable record (never shown). ``result``: the close's outcome (planner.choice).
CREATE TABLE choice_rounds (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id   bigint NOT NULL REFERENCES estates(id),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    budget_fen  bigint NOT NULL CHECK (budget_fen > 0),
    status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    secret      bytea NOT NULL CHECK (length(secret) = 32),
    created_by  bigint REFERENCES members(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    opened_at   timestamptz,
    closed_at   timestamptz,
    result      jsonb
);
CREATE INDEX choice_rounds_estate ON choice_rounds (estate_id, id);

-- The works of a round with their cost, snapshotted from the works' estimates at creation.
CREATE TABLE choice_round_works (
    round_id  bigint NOT NULL REFERENCES choice_rounds(id),
    work_id   bigint NOT NULL REFERENCES works(id),
    cost_fen  bigint NOT NULL CHECK (cost_fen > 0),
    PRIMARY KEY (round_id, work_id)
);

-- One approval set per owner (``owner_key``), replaceable until the close. ``household_id``:
-- the unit it was given for. A paper sheet (``sheet_no``, unique in the round) prevails over
-- the owner's online set.
CREATE TABLE choice_approvals (
    round_id      bigint NOT NULL REFERENCES choice_rounds(id),
    owner_key     text NOT NULL,
    household_id  bigint NOT NULL REFERENCES households(id),
    work_ids      bigint[] NOT NULL,
    channel       text NOT NULL CHECK (channel IN ('online', 'paper')),
    sheet_no      text CHECK (length(sheet_no) BETWEEN 1 AND 50),
    entered_by    bigint REFERENCES members(id),
    entered_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, owner_key),
    CHECK ((channel = 'paper') = (sheet_no IS NOT NULL))
);
CREATE UNIQUE INDEX choice_approvals_sheet ON choice_approvals (round_id, sheet_no)
    WHERE sheet_no IS NOT NULL;
