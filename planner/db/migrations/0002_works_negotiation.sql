-- Works (renovation items) and their negotiation: suppliers, invitations, quotes, rounds,
-- counter-offers and reference prices. Money is bigint fen; rounds and counter-offers are
-- immutable once written (a trigger refuses UPDATE and DELETE).

CREATE TABLE works (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id           bigint NOT NULL REFERENCES estates(id),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    category            text NOT NULL CHECK (length(category) BETWEEN 1 AND 100),
    description         text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    urgency             smallint NOT NULL DEFAULT 3 CHECK (urgency BETWEEN 1 AND 5),
    difficulty          smallint NOT NULL DEFAULT 3 CHECK (difficulty BETWEEN 1 AND 5),
    -- empty array = the whole estate; otherwise only these buildings' households benefit
    scope_building_ids  bigint[] NOT NULL DEFAULT '{}',
    benefit_rule        text NOT NULL DEFAULT 'area'
                        CHECK (benefit_rule IN ('area', 'equal', 'area_floor_factor', 'building')),
    -- {"<floor>": "<factor>"}: step table, see planner.works.rules.WorkBenefit
    floor_factors       jsonb NOT NULL DEFAULT '{}'::jsonb,
    estimate_fen        bigint CHECK (estimate_fen >= 0),
    awarded_total_fen   bigint CHECK (awarded_total_fen >= 0),
    awarded_quote_id    bigint,
    awarded_round       integer,
    status              text NOT NULL DEFAULT 'proposed'
                        CHECK (status IN ('proposed', 'approved', 'quoting', 'awarded', 'funded',
                                          'in_progress', 'done', 'rejected')),
    sealed_until        timestamptz,
    -- set once, when the sealed bids were opened (and the quotes.opened event emitted)
    opened_at           timestamptz,
    requires_motion     boolean NOT NULL DEFAULT false,
    created_by          bigint REFERENCES members(id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((awarded_quote_id IS NULL) = (awarded_total_fen IS NULL)),
    CHECK ((awarded_quote_id IS NULL) = (awarded_round IS NULL))
);
CREATE INDEX works_estate ON works (estate_id, id);
CREATE INDEX works_sealed_unopened ON works (sealed_until) WHERE opened_at IS NULL AND sealed_until IS NOT NULL;

CREATE TABLE suppliers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id   bigint NOT NULL REFERENCES estates(id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (estate_id, name)
);

CREATE TABLE invitations (
    work_id     bigint NOT NULL REFERENCES works(id),
    supplier_id bigint NOT NULL REFERENCES suppliers(id),
    invited_by  bigint REFERENCES members(id),
    invited_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (work_id, supplier_id)
);
CREATE INDEX invitations_supplier ON invitations (supplier_id, work_id);

-- One quote per supplier per work; its revisions are rounds.
CREATE TABLE quotes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id     bigint NOT NULL REFERENCES estates(id),
    work_id       bigint NOT NULL REFERENCES works(id),
    supplier_id   bigint NOT NULL REFERENCES suppliers(id),
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'awarded', 'closed')),
    latest_round  integer NOT NULL DEFAULT 1 CHECK (latest_round >= 1),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (work_id, supplier_id),
    FOREIGN KEY (work_id, supplier_id) REFERENCES invitations (work_id, supplier_id)
);

ALTER TABLE works ADD CONSTRAINT works_awarded_quote
    FOREIGN KEY (awarded_quote_id) REFERENCES quotes(id);

-- lines: [{line_no, description, unit, quantity (decimal string), unit_price_fen, total_fen,
-- line_key}], totals derived by planner.negotiation.rules.price_lines.
CREATE TABLE rounds (
    quote_id     bigint NOT NULL REFERENCES quotes(id),
    round        integer NOT NULL CHECK (round >= 1),
    lines        jsonb NOT NULL,
    line_count   integer NOT NULL CHECK (line_count >= 1),
    total_fen    bigint NOT NULL CHECK (total_fen >= 0),
    valid_until  date,
    is_final     boolean NOT NULL DEFAULT false,
    by_member_id bigint REFERENCES members(id),
    at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (quote_id, round)
);

CREATE TABLE counter_offers (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    quote_id          bigint NOT NULL REFERENCES quotes(id),
    round             integer NOT NULL,
    target_total_fen  bigint CHECK (target_total_fen >= 0),
    -- [{line_no, target_unit_price_fen, note}]
    line_targets      jsonb NOT NULL DEFAULT '[]'::jsonb,
    note              text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    by_member_id      bigint REFERENCES members(id),
    at                timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (quote_id, round) REFERENCES rounds (quote_id, round)
);
CREATE INDEX counter_offers_quote ON counter_offers (quote_id, id);

-- Optional benchmark unit prices per line of a work, for the comparison.
CREATE TABLE reference_lines (
    work_id         bigint NOT NULL REFERENCES works(id),
    line_no         integer NOT NULL CHECK (line_no >= 1),
    line_key        text,
    description     text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    unit_price_fen  bigint NOT NULL CHECK (unit_price_fen >= 0),
    PRIMARY KEY (work_id, line_no)
);

CREATE FUNCTION negotiation_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER rounds_immutable BEFORE UPDATE OR DELETE ON rounds
    FOR EACH ROW EXECUTE FUNCTION negotiation_refuse_change();
CREATE TRIGGER counter_offers_immutable BEFORE UPDATE OR DELETE ON counter_offers
    FOR EACH ROW EXECUTE FUNCTION negotiation_refuse_change();
