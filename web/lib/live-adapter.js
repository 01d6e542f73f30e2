// Opens the estate's live connection with web/live.js (owned by the live-events slice):
// openLive(estateId, {onEvent, onControl, onStatus}) → Promise<{join, leave, close}>.
// Status values: "connecting", "live", "reconnecting", "off".
import { connectLive } from "../live.js";

export async function openLive(estateId, { onEvent, onControl, onStatus }) {
  const client = connectLive(estateId, { onEvent, onControl, onStatus });
  return {
    join: (meetingId) => client.join(meetingId),
    leave: (meetingId) => client.leave(meetingId),
    close: () => client.close(),
  };
}
