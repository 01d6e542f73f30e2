-- How a written consultation's notice reached each owner (issue 17). One row per consultation,
-- owner (households.owner_key: units sharing it are one person) and channel: 'online' the first
-- time the owner opened the consultation or its notice on the platform (by: that member),
-- 'paper' when a committee member handed it over (by: the committee member, with a note).
-- No row: not reached yet. Rows are never changed or deleted: the first of each channel stays.
CREATE TABLE notice_deliveries (
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    owner_key        text NOT NULL,
    channel          text NOT NULL CHECK (channel IN ('online', 'paper')),
    delivered_by     bigint REFERENCES members(id),
    delivered_at     timestamptz NOT NULL DEFAULT now(),
    note             text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    PRIMARY KEY (consultation_id, owner_key, channel)
);
