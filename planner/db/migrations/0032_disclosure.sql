-- Public disclosure (公示, issue 19): one unguessable token per estate, made when the
-- committee first publishes; the public page and notice answer anyone who holds it.
CREATE TABLE estate_disclosures (
    estate_id     bigint PRIMARY KEY REFERENCES estates(id),
    token         text NOT NULL UNIQUE CHECK (length(token) BETWEEN 16 AND 64),
    published_at  timestamptz NOT NULL DEFAULT now(),
    published_by  bigint REFERENCES members(id)
);
