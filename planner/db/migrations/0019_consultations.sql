-- Written consultation (书面征求意见, issue 17): a decision over days on the phone and on
-- paper. A consultation is a meeting of kind 'written_consultation' (its motions, roll,
-- ballots, proxies, receipts, tallies and events are the meeting's) with a row here for what
-- only a consultation has: the notice period, the voting window, the both-channels rule and
-- the rule set. Its id is the meeting's id.

ALTER TABLE meetings DROP CONSTRAINT meetings_kind_check;
ALTER TABLE meetings ADD CONSTRAINT meetings_kind_check
    CHECK (kind IN ('building_meeting', 'public_hearing', 'owners_assembly',
                    'written_consultation'));

-- Estate settings: the notice period (公告期) in days and the rule set of the estate's votes.
ALTER TABLE estates
    ADD COLUMN notice_days smallint NOT NULL DEFAULT 15 CHECK (notice_days BETWEEN 0 AND 90),
    ADD COLUMN rule_set    text NOT NULL DEFAULT 'civil_code_2021';

-- Each motion is decided by a named rule set (planner/deliberation/rule_sets.py), copied from
-- its consultation or estate when it is made; paper_prevails: the consultation's
-- both-channels rule ("paper": a unit's paper ballot counts over any online one).
ALTER TABLE motions
    ADD COLUMN rule_set       text NOT NULL DEFAULT 'civil_code_2021',
    ADD COLUMN paper_prevails boolean NOT NULL DEFAULT false;

CREATE TABLE consultations (
    id              bigint PRIMARY KEY REFERENCES meetings(id),
    estate_id       bigint NOT NULL REFERENCES estates(id),
    status          text NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'noticed', 'open', 'closed', 'announced')),
    notice_days     smallint NOT NULL CHECK (notice_days BETWEEN 0 AND 90),
    opens_at        timestamptz NOT NULL,
    closes_at       timestamptz NOT NULL,
    both_channels   text NOT NULL DEFAULT 'last' CHECK (both_channels IN ('last', 'paper')),
    rule_set        text NOT NULL,
    -- open ballot: choices are shown while it is open (default: only turnout until the close)
    open_ballot     boolean NOT NULL DEFAULT false,
    -- the public pages (notice, turnout, result) are reached by this token, without sign-in
    public_token    text NOT NULL UNIQUE,
    published_at    timestamptz,
    published_by    bigint REFERENCES members(id),
    opened_at       timestamptz,
    closed_at       timestamptz,
    -- who closed it: NULL when it closed by itself at closes_at
    closed_by       bigint REFERENCES members(id),
    announced_at    timestamptz,
    announced_by    bigint REFERENCES members(id),
    CHECK (closes_at > opens_at)
);
CREATE INDEX consultations_estate ON consultations (estate_id, id);
-- What the scheduler looks for: due openings and closings.
CREATE INDEX consultations_due_open ON consultations (opens_at) WHERE status = 'noticed';
CREATE INDEX consultations_due_close ON consultations (closes_at) WHERE status = 'open';

-- The channel a ballot came by: online (phone or browser, the owner or a proxy; a proxy's has
-- a delegation_id) or paper (a sheet entered twice by the committee and found equal).
ALTER TABLE ballots
    ADD COLUMN channel text NOT NULL DEFAULT 'online' CHECK (channel IN ('online', 'paper'));
-- The channel of the unit's counted ballot (the running counts and the paper-prevails rule).
ALTER TABLE motion_units
    ADD COLUMN counted_channel text CHECK (counted_channel IN ('online', 'paper'));
