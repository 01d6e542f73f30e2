-- Live events: who is in a meeting room right now.
-- One row per (socket, meeting). The instance holding the socket refreshes last_seen every
-- heartbeat while the client is alive; any instance's sweeper deletes rows older than the
-- presence window and records presence.left, so a crashed instance's clients vanish too.
CREATE TABLE live_presence (
    connection_id  text NOT NULL,
    meeting_id     bigint NOT NULL REFERENCES meetings(id),
    estate_id      bigint NOT NULL REFERENCES estates(id),
    member_id      bigint NOT NULL REFERENCES members(id),
    display_name   text NOT NULL,
    instance_id    text NOT NULL,
    joined_at      timestamptz NOT NULL DEFAULT now(),
    last_seen      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, meeting_id)
);
CREATE INDEX live_presence_meeting ON live_presence (meeting_id, member_id);
CREATE INDEX live_presence_last_seen ON live_presence (last_seen);
