-- The recountable record of a written consultation (issue 17): a per-consultation secret
-- for the owners' and voters' pseudonyms in the downloadable record (HMAC of the person
-- key, so one owner's units share a pseudonym without naming anyone, and pseudonyms cannot
-- be linked across consultations), and the record's final digest, fixed when it closes and
-- published with the consultation (its GET, and the consultation.announced event's data).
ALTER TABLE consultations
    ADD COLUMN record_secret bytea,
    ADD COLUMN record_digest text;
