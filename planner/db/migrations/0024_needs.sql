-- From needs to works (issue 18): residents' suggestions (意见建议), the committee's triage,
-- and the common problems (共性问题) they are merged into. Later migrations of the same issue
-- add questionnaire rounds, wishes (微心愿), pledges and choice rounds.

-- A work may start as a candidate (from a common problem, with an estimate): it is not
-- funded or negotiated until a choice round (or the committee) makes it a proposed work.
ALTER TABLE works DROP CONSTRAINT works_status_check;
ALTER TABLE works ADD CONSTRAINT works_status_check
    CHECK (status IN ('candidate', 'proposed', 'approved', 'quoting', 'awarded', 'funded',
                      'in_progress', 'done', 'rejected'));

-- One resident's suggestion. ``category``: planner.needs.categories (policy, livelihood,
-- health, education, facilities, environment, safety, other). ``channel``: how it came in.
-- ``sheet_no``: a paper questionnaire's number, unique in the estate (nothing entered twice).
-- Triage: urgency/difficulty tags; ``self_help`` = residents can solve it (``helper`` says
-- who helps); ``problem_id`` = merged into that common problem; ``duplicate_of`` = a
-- duplicate of another suggestion (kept, never deleted).
CREATE TABLE suggestions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id     bigint NOT NULL REFERENCES estates(id),
    text          text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    category      text NOT NULL,
    building_id   bigint REFERENCES buildings(id),
    household_id  bigint REFERENCES households(id),
    channel       text NOT NULL CHECK (channel IN ('online', 'paper', 'import', 'grid', 'meeting')),
    sheet_no      text CHECK (length(sheet_no) BETWEEN 1 AND 50),
    photo_sha256  text CHECK (photo_sha256 ~ '^[0-9a-f]{64}$'),
    submitted_by  bigint REFERENCES members(id),
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    urgency       text CHECK (urgency IN ('urgent', 'normal')),
    difficulty    text CHECK (difficulty IN ('hard', 'easy')),
    triaged_by    bigint REFERENCES members(id),
    triaged_at    timestamptz,
    self_help     boolean NOT NULL DEFAULT false,
    helper        text CHECK (length(helper) <= 200),
    problem_id    bigint,
    duplicate_of  bigint REFERENCES suggestions(id),
    UNIQUE (estate_id, sheet_no)
);
CREATE INDEX suggestions_estate ON suggestions (estate_id, id);
CREATE INDEX suggestions_estate_category ON suggestions (estate_id, category, id);
CREATE INDEX suggestions_problem ON suggestions (problem_id) WHERE problem_id IS NOT NULL;

-- A common problem (共性问题) on the estate's list. Status path: collecting (收集) → listed
-- (已纳入清单) → in_progress (处理中) → solved (已解决), or declined (不予采纳, with a reason).
-- ``merged_into``: a duplicate problem merged into another (kept, its supporters move).
-- ``work_id``: the candidate work made from it.
CREATE TABLE problems (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id     bigint NOT NULL REFERENCES estates(id),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    category      text NOT NULL,
    urgency       text NOT NULL CHECK (urgency IN ('urgent', 'normal')),
    difficulty    text NOT NULL CHECK (difficulty IN ('hard', 'easy')),
    status        text NOT NULL DEFAULT 'collecting'
                  CHECK (status IN ('collecting', 'listed', 'in_progress', 'solved', 'declined')),
    status_note   text CHECK (length(status_note) <= 2000),
    responsible   text CHECK (length(responsible) <= 200),
    merged_into   bigint REFERENCES problems(id),
    work_id       bigint REFERENCES works(id),
    created_by    bigint REFERENCES members(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    solved_at     timestamptz,
    CHECK (status <> 'declined' OR status_note IS NOT NULL)
);
CREATE INDEX problems_estate ON problems (estate_id, id);
ALTER TABLE suggestions ADD CONSTRAINT suggestions_problem_fk
    FOREIGN KEY (problem_id) REFERENCES problems(id);

-- Owners who support a problem beyond its source suggestions ("me too"): one row per
-- household, so support counts by head (distinct owners) and by units.
CREATE TABLE problem_supporters (
    problem_id    bigint NOT NULL REFERENCES problems(id),
    household_id  bigint NOT NULL REFERENCES households(id),
    member_id     bigint REFERENCES members(id),
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (problem_id, household_id)
);
