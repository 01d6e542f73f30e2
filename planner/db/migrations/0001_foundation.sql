-- Foundation: estates, buildings, households, members and their sessions, the event stream.

CREATE TABLE estates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    district    text CHECK (length(district) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE buildings (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id   bigint NOT NULL REFERENCES estates(id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    UNIQUE (estate_id, name)
);

CREATE TABLE households (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id         bigint NOT NULL REFERENCES estates(id),
    building_id       bigint NOT NULL REFERENCES buildings(id),
    unit              text NOT NULL CHECK (length(unit) BETWEEN 1 AND 100),
    floor             integer NOT NULL CHECK (floor BETWEEN -10 AND 200),
    area_m2           numeric(12, 2) NOT NULL CHECK (area_m2 > 0),
    owner_key         text NOT NULL CHECK (length(owner_key) BETWEEN 1 AND 100),
    owner_name        text NOT NULL CHECK (length(owner_name) BETWEEN 1 AND 200),
    hardship_cap_fen  bigint CHECK (hardship_cap_fen >= 0),
    UNIQUE (building_id, unit)
);
CREATE INDEX households_estate ON households (estate_id, id);

-- A member is one grant: a role in one estate (estate_id NULL only for the global admin).
-- supplier_id points at negotiation's suppliers table (created in a later migration).
CREATE TABLE members (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id     bigint REFERENCES estates(id),
    role          text NOT NULL CHECK (role IN ('admin','committee','owner','supplier','treasurer','observer')),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    token_hash    bytea NOT NULL UNIQUE,
    supplier_id   bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    CHECK (estate_id IS NOT NULL OR role = 'admin'),
    CHECK ((role = 'supplier') = (supplier_id IS NOT NULL))
);
CREATE INDEX members_estate ON members (estate_id);

CREATE TABLE member_households (
    member_id     bigint NOT NULL REFERENCES members(id),
    household_id  bigint NOT NULL REFERENCES households(id),
    PRIMARY KEY (member_id, household_id)
);
CREATE INDEX member_households_household ON member_households (household_id);

CREATE TABLE sessions (
    id_hash     bytea PRIMARY KEY,
    member_id   bigint NOT NULL REFERENCES members(id),
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);

CREATE TABLE sign_in_attempts (
    client      text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_client ON sign_in_attempts (client, at);

-- One event stream per estate: the audit trail and the source of live events.
-- append_event locks the estate's stream row until commit, so rows become visible in seq order.
CREATE TABLE event_streams (
    estate_id  bigint PRIMARY KEY REFERENCES estates(id),
    last_seq   bigint NOT NULL DEFAULT 0,
    last_hash  bytea NOT NULL DEFAULT '\x'::bytea
);

CREATE TABLE events (
    estate_id    bigint NOT NULL REFERENCES estates(id),
    seq          bigint NOT NULL,
    type         text NOT NULL,
    data         jsonb NOT NULL,
    actor_id     bigint,
    at           timestamptz NOT NULL,
    audience     text NOT NULL CHECK (audience IN ('all','members','staff','supplier','bidder')),
    supplier_id  bigint,
    prev_hash    bytea NOT NULL,
    hash         bytea NOT NULL,
    PRIMARY KEY (estate_id, seq)
);
