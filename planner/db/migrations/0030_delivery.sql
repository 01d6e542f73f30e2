-- Works delivery (issue 19): milestones of an awarded work with a planned period (month,
-- quarter, half-year or day) and a responsible unit and person; progress updates with photos;
-- acceptance (验收) with defects re-checked and sign-offs by the committee and owner
-- representatives. Rules in planner.delivery.rules.
CREATE TABLE milestones (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id           bigint NOT NULL REFERENCES estates(id),
    work_id             bigint NOT NULL REFERENCES works(id),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    planned             text NOT NULL CHECK (length(planned) BETWEEN 4 AND 10),
    planned_start       date NOT NULL,
    planned_end         date NOT NULL CHECK (planned_end >= planned_start),
    responsible_unit    text NOT NULL CHECK (length(responsible_unit) BETWEEN 1 AND 200),
    responsible_person  text NOT NULL CHECK (length(responsible_person) BETWEEN 1 AND 200),
    weight_pct          integer CHECK (weight_pct BETWEEN 1 AND 100),
    percent             integer NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    done_at             timestamptz,
    created_by          bigint NOT NULL REFERENCES members(id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((percent = 100) = (done_at IS NOT NULL))
);
CREATE INDEX milestones_work ON milestones (work_id, id);
CREATE INDEX milestones_estate ON milestones (estate_id, planned_end);

CREATE TABLE progress_updates (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id      bigint NOT NULL REFERENCES estates(id),
    milestone_id   bigint NOT NULL REFERENCES milestones(id),
    percent        integer NOT NULL CHECK (percent BETWEEN 0 AND 100),
    note           text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    photo_sha256s  text[] NOT NULL DEFAULT '{}',
    recorded_by    bigint NOT NULL REFERENCES members(id),
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX progress_updates_milestone ON progress_updates (milestone_id, id);

CREATE TABLE acceptances (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id    bigint NOT NULL REFERENCES estates(id),
    work_id      bigint NOT NULL UNIQUE REFERENCES works(id),
    opened_by    bigint NOT NULL REFERENCES members(id),
    opened_at    timestamptz NOT NULL,
    accepted_at  timestamptz
);

CREATE TABLE defects (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id      bigint NOT NULL REFERENCES estates(id),
    acceptance_id  bigint NOT NULL REFERENCES acceptances(id),
    description    text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    photo_sha256   text CHECK (photo_sha256 ~ '^[0-9a-f]{64}$'),
    fixed          boolean NOT NULL DEFAULT false,
    recheck_note   text NOT NULL DEFAULT '' CHECK (length(recheck_note) <= 2000),
    rechecked_by   bigint REFERENCES members(id),
    rechecked_at   timestamptz
);
CREATE INDEX defects_acceptance ON defects (acceptance_id, id);

-- One signature per member and acceptance; ``capacity``: who they sign as.
CREATE TABLE acceptance_signatures (
    acceptance_id  bigint NOT NULL REFERENCES acceptances(id),
    member_id      bigint NOT NULL REFERENCES members(id),
    capacity       text NOT NULL CHECK (capacity IN ('committee', 'owner')),
    display_name   text NOT NULL,
    signed_at      timestamptz NOT NULL,
    PRIMARY KEY (acceptance_id, member_id)
);
