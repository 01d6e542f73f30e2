-- Suggestions intake (issue 18): owners' phone photos, questionnaire rounds (问卷) and their
-- answers (online, paper with the sheet's number, imported), and the triage list's indexes.

-- Photos owners (or the committee) attach to suggestions, once per estate by content hash.
-- Apart from the paper ballots' photos: owners may upload here, and only here.
CREATE TABLE suggestion_photos (
    estate_id    bigint NOT NULL REFERENCES estates(id),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    media_type   text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size         integer NOT NULL CHECK (size > 0 AND size <= 8388608),
    bytes        bytea NOT NULL,
    uploaded_by  bigint NOT NULL REFERENCES members(id),
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (estate_id, sha256)
);

-- A questionnaire round: a few fixed questions (JSON list of {text, kind, options,
-- suggestion}); draft → open → closed.
CREATE TABLE questionnaires (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id     bigint NOT NULL REFERENCES estates(id),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    questions     jsonb NOT NULL,
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    created_by    bigint REFERENCES members(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    opened_at     timestamptz,
    closed_at     timestamptz
);
CREATE INDEX questionnaires_estate ON questionnaires (estate_id, id);

-- One answered questionnaire: an owner's (online, one per member, replaceable until the
-- close) or a paper sheet's (entered or imported; its number once per questionnaire).
-- ``answers``: one JSON item per question (a list of option indexes, or a text, or null).
CREATE TABLE questionnaire_answers (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    questionnaire_id  bigint NOT NULL REFERENCES questionnaires(id),
    channel           text NOT NULL CHECK (channel IN ('online', 'paper', 'import')),
    member_id         bigint REFERENCES members(id),
    sheet_no          text CHECK (length(sheet_no) BETWEEN 1 AND 50),
    household_id      bigint REFERENCES households(id),
    building_id       bigint REFERENCES buildings(id),
    answers           jsonb NOT NULL,
    suggestion_id     bigint REFERENCES suggestions(id),
    entered_by        bigint REFERENCES members(id),
    answered_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((channel = 'online') = (member_id IS NOT NULL)),
    CHECK ((channel = 'online') = (sheet_no IS NULL)),
    UNIQUE (questionnaire_id, member_id),
    UNIQUE (questionnaire_id, sheet_no)
);

-- A suggestion made from a questionnaire's answer names its round.
ALTER TABLE suggestions ADD COLUMN questionnaire_id bigint REFERENCES questionnaires(id);

-- The triage list: filters within an estate, newest first, keyset-paged on id.
CREATE INDEX suggestions_estate_untriaged ON suggestions (estate_id, id DESC)
    WHERE triaged_at IS NULL AND problem_id IS NULL AND duplicate_of IS NULL;
CREATE INDEX suggestions_estate_building ON suggestions (estate_id, building_id, id);
CREATE INDEX suggestions_estate_urgency ON suggestions (estate_id, urgency, id);
CREATE INDEX suggestions_household ON suggestions (household_id, id)
    WHERE household_id IS NOT NULL;
CREATE INDEX suggestions_duplicate_of ON suggestions (duplicate_of)
    WHERE duplicate_of IS NOT NULL;
