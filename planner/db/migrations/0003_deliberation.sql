-- Deliberation: meetings, agenda, motions, the roll of units per motion, proxies and ballots.
-- Areas in the running counts are integer hundredths of m² (bigint), compared exactly.

CREATE TABLE meetings (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id           bigint NOT NULL REFERENCES estates(id),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind                text NOT NULL
                        CHECK (kind IN ('building_meeting', 'public_hearing', 'owners_assembly')),
    -- empty: the whole estate
    scope_building_ids  bigint[] NOT NULL DEFAULT '{}',
    scheduled_at        timestamptz,
    status              text NOT NULL DEFAULT 'scheduled'
                        CHECK (status IN ('scheduled', 'open', 'closed')),
    created_by          bigint REFERENCES members(id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    opened_at           timestamptz,
    closed_at           timestamptz
);
CREATE INDEX meetings_estate ON meetings (estate_id, id);

CREATE TABLE agenda_items (
    meeting_id  bigint NOT NULL REFERENCES meetings(id),
    position    integer NOT NULL CHECK (position >= 1),
    text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    work_id     bigint REFERENCES works(id),
    PRIMARY KEY (meeting_id, position)
);

CREATE TABLE motions (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id           bigint NOT NULL REFERENCES meetings(id),
    estate_id            bigint NOT NULL REFERENCES estates(id),
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    text                 text NOT NULL DEFAULT '' CHECK (length(text) <= 10000),
    matter               smallint NOT NULL CHECK (matter BETWEEN 1 AND 9),
    work_id              bigint REFERENCES works(id),
    hide_results         boolean NOT NULL DEFAULT false,
    status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    created_by           bigint REFERENCES members(id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    opened_at            timestamptz,
    closed_at            timestamptz,
    -- Running counts (rules.Counts), updated by every cast under this row's lock.
    total_area           bigint NOT NULL DEFAULT 0,
    total_owners         integer NOT NULL DEFAULT 0,
    total_units          integer NOT NULL DEFAULT 0,
    participating_units  integer NOT NULL DEFAULT 0,
    yes_area             bigint NOT NULL DEFAULT 0,
    no_area              bigint NOT NULL DEFAULT 0,
    abstain_area         bigint NOT NULL DEFAULT 0,
    yes_owners           integer NOT NULL DEFAULT 0,
    no_owners            integer NOT NULL DEFAULT 0,
    abstain_owners       integer NOT NULL DEFAULT 0,
    -- The recount made at close (the tally of record).
    final_tally          jsonb
);
CREATE INDEX motions_meeting ON motions (meeting_id, id);

-- The roll: the units in the motion's scope, frozen when the motion opens, with each unit's
-- counted (last) choice. Households imported later do not change an open vote's scope.
CREATE TABLE motion_units (
    motion_id       bigint NOT NULL REFERENCES motions(id),
    household_id    bigint NOT NULL REFERENCES households(id),
    person_key      text NOT NULL,
    area            bigint NOT NULL CHECK (area > 0),
    choice          text CHECK (choice IN ('yes', 'no', 'abstain')),
    last_ballot_id  bigint,
    PRIMARY KEY (motion_id, household_id)
);

-- One row per person (owner_key) on the roll: the lock that orders casts for their units and
-- their participating area per choice, from which their head-count standing follows.
CREATE TABLE motion_persons (
    motion_id     bigint NOT NULL REFERENCES motions(id),
    person_key    text NOT NULL,
    yes_area      bigint NOT NULL DEFAULT 0,
    no_area       bigint NOT NULL DEFAULT 0,
    abstain_area  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (motion_id, person_key)
);

-- Written authorisations (委托): the proxy casts for these units. meeting_id NULL: any meeting.
CREATE TABLE delegations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id        bigint NOT NULL REFERENCES estates(id),
    household_id     bigint NOT NULL REFERENCES households(id),
    proxy_member_id  bigint NOT NULL REFERENCES members(id),
    meeting_id       bigint REFERENCES meetings(id),
    reference        text NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    recorded_by      bigint REFERENCES members(id),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz
);
CREATE INDEX delegations_proxy ON delegations (proxy_member_id) WHERE revoked_at IS NULL;
CREATE INDEX delegations_household ON delegations (household_id) WHERE revoked_at IS NULL;

-- Append-only: every cast and every change is a row; the highest id per unit counts.
CREATE TABLE ballots (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    motion_id      bigint NOT NULL REFERENCES motions(id),
    household_id   bigint NOT NULL,
    choice         text NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    cast_by        bigint NOT NULL REFERENCES members(id),
    delegation_id  bigint REFERENCES delegations(id),
    receipt        text NOT NULL UNIQUE,
    cast_at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (motion_id, household_id) REFERENCES motion_units (motion_id, household_id)
);
CREATE INDEX ballots_motion_unit ON ballots (motion_id, household_id, id DESC);

CREATE FUNCTION ballots_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ballots are append-only';
END $$;
CREATE TRIGGER ballots_append_only BEFORE UPDATE OR DELETE ON ballots
    FOR EACH ROW EXECUTE FUNCTION ballots_append_only();
