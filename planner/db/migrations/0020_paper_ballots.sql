-- Paper ballots of written consultations (issue 17): signed sheet codes, photos of signed
-- sheets by content hash, and the committee's double entry of each sheet.

-- Per-estate signing secrets, made on first use and never sent to a client. purpose
-- 'paper_sheet': the HMAC key of the sheet codes (planner/consultation/codes.py).
CREATE TABLE estate_secrets (
    estate_id   bigint NOT NULL REFERENCES estates(id),
    purpose     text NOT NULL CHECK (purpose IN ('paper_sheet')),
    secret      bytea NOT NULL CHECK (length(secret) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (estate_id, purpose)
);

-- One paper ballot sheet per owner (person key) of a consultation; sheet_no is the number
-- its code carries, given once (in owner-key order when the sheets are first listed) and
-- never changed. state: where its double entry stands in the current round (see
-- planner/consultation/paper_service.py); round: 1, then one more each time a counted
-- sheet is entered again (a corrected sheet of the same owner).
CREATE TABLE paper_sheets (
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    sheet_no         integer NOT NULL CHECK (sheet_no > 0),
    owner_key        text NOT NULL,
    state            text NOT NULL DEFAULT 'not_entered'
                     CHECK (state IN ('not_entered', 'awaiting_second', 'counted', 'mismatch')),
    round            integer NOT NULL DEFAULT 1 CHECK (round > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consultation_id, sheet_no),
    UNIQUE (consultation_id, owner_key)
);

-- Photos of signed sheets, stored once per estate by content hash (the same bytes twice are
-- one row). Keyed by estate too, so one estate cannot learn what another uploaded.
CREATE TABLE photos (
    estate_id    bigint NOT NULL REFERENCES estates(id),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    media_type   text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size         integer NOT NULL CHECK (size > 0 AND size <= 8388608),
    bytes        bytea NOT NULL,
    uploaded_by  bigint NOT NULL REFERENCES members(id),
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (estate_id, sha256)
);

-- Every entry of a sheet, append-only: the choices one committee member typed, the photo it
-- names, and the sheet's state right after it. entry_no counts the entries of the round.
CREATE TABLE paper_entries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id        bigint NOT NULL REFERENCES estates(id),
    consultation_id  bigint NOT NULL,
    sheet_no         integer NOT NULL,
    round            integer NOT NULL CHECK (round > 0),
    entry_no         integer NOT NULL CHECK (entry_no > 0),
    -- [[motion_id, choice], ...] in motion order
    choices          jsonb NOT NULL,
    photo_sha256     text,
    entered_by       bigint NOT NULL REFERENCES members(id),
    entered_at       timestamptz NOT NULL DEFAULT now(),
    state            text NOT NULL CHECK (state IN ('awaiting_second', 'counted', 'mismatch')),
    FOREIGN KEY (consultation_id, sheet_no) REFERENCES paper_sheets (consultation_id, sheet_no),
    FOREIGN KEY (estate_id, photo_sha256) REFERENCES photos (estate_id, sha256),
    UNIQUE (consultation_id, sheet_no, round, entry_no)
);

-- Each paper ballot (one per unit and motion of the sheet's owner) and the entries that made
-- it count: the round's entries whose choices agreed (two, or more after a mismatch).
CREATE TABLE paper_ballots (
    ballot_id        bigint PRIMARY KEY REFERENCES ballots(id),
    consultation_id  bigint NOT NULL,
    sheet_no         integer NOT NULL,
    round            integer NOT NULL CHECK (round > 0),
    entry_ids        bigint[] NOT NULL CHECK (cardinality(entry_ids) >= 2),
    FOREIGN KEY (consultation_id, sheet_no) REFERENCES paper_sheets (consultation_id, sheet_no)
);

CREATE FUNCTION paper_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER paper_entries_append_only BEFORE UPDATE OR DELETE ON paper_entries
    FOR EACH ROW EXECUTE FUNCTION paper_append_only();
CREATE TRIGGER paper_ballots_append_only BEFORE UPDATE OR DELETE ON paper_ballots
    FOR EACH ROW EXECUTE FUNCTION paper_append_only();
