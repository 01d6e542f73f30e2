import { html, useState, useMemo } from "../lib/html.js";
import { t, tMaybe } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";

const GRANTABLE = ["owner", "committee", "treasurer", "supplier", "observer", "partner"];
const PARTNER_KINDS = ["bank", "school", "hospital", "law_firm", "enterprise", "other"];

/** Members of the estate (committee and admin): grant a role, hand out the sign-in link, revoke. */
export function Members({ me }) {
  const members = useApi(`/api/estates/${me.estate_id}/members`);
  const households = useApi(`/api/estates/${me.estate_id}/households`);
  useLiveEvent(["member."], members.reload);
  const units = useMemo(() => Object.fromEntries(itemsOf(households.data)
    .map((h) => [String(h.id), `${h.building} ${h.unit}`])), [households.data]);
  const action = useAction();
  const [notice, setNotice] = useState("");
  const revoke = async (id) => {
    setNotice("");
    const res = await action.run(() => api(`/api/members/${id}/revoke`, { method: "POST" }));
    if (res !== undefined) {
      if (res && res.pending) setNotice(t("members.requested"));
      members.reload();
    }
  };
  const withdraw = async (id) => {
    setNotice("");
    const res = await action.run(() => api(`/api/members/${id}/revocation-request`, { method: "DELETE" }));
    if (res !== undefined) members.reload();
  };
  return html`<h1>${t("members.title")}</h1>
    <${NewMember} me=${me} households=${itemsOf(households.data)} onDone=${members.reload} />
    <${ErrorBox} error=${members.error || action.error} />
    ${notice ? html`<p class="ok" role="status" data-testid="revocation-notice">${notice}</p>` : null}
    ${members.loading ? html`<${Loading} />` : html`<div class="table-wrap"><table data-testid="members">
      <thead><tr><th scope="col">${t("members.name")}</th><th scope="col">${t("members.role")}</th>
        <th scope="col">${t("members.units")}</th><th scope="col"></th></tr></thead>
      <tbody>${itemsOf(members.data).map((m) => html`<tr key=${m.id}>
        <td>${m.display_name}</td><td>${tMaybe(`role.${m.role}`, m.role)}${m.partner_kind
          ? html` <span class="muted">(${tMaybe(`partner.kind.${m.partner_kind}`, m.partner_kind)})</span>` : null}</td>
        <td>${itemsOf(m.household_ids).map((id) => units[String(id)] || `#${id}`).join("、")}</td>
        <td>${m.revoked ? html`<span class="muted">${t("members.revoked")}</span>`
          : html`<${Revocation} m=${m} me=${me} busy=${action.busy} onRevoke=${revoke} onWithdraw=${withdraw} />`}</td>
      </tr>`)}</tbody></table></div>`}`;
}

/** Labels of the revoke button by what the caller's revoke would do (the server says). */
const REVOKE_LABELS = {
  now: ["members.revoke", "members.revokeName"],
  request: ["members.requestRevoke", "members.requestRevokeName"],
  confirm: ["members.confirmRevoke", "members.confirmRevokeName"],
};

/** A member's revocation cell: a pending request and its withdraw button, the revoke button. */
function Revocation({ m, me, busy, onRevoke, onWithdraw }) {
  const labels = m.id !== me.member_id ? REVOKE_LABELS[m.revocable] : null;
  return html`${m.revocation ? html`<span class="muted" data-testid="revocation-pending">
      ${t("members.revocationPending", { name: m.revocation.requested_by_name })}</span> ` : null}
    ${labels ? html`<button type="button" disabled=${busy}
      aria-label=${t(labels[1], { name: m.display_name })}
      onClick=${() => onRevoke(m.id)}>${t(labels[0])}</button>` : null}
    ${m.revocation && m.withdrawable ? html` <button type="button" disabled=${busy}
      aria-label=${t("members.withdrawRevokeName", { name: m.display_name })}
      onClick=${() => onWithdraw(m.id)}>${t("members.withdrawRevoke")}</button>` : null}`;
}

function NewMember({ me, households, onDone }) {
  const suppliers = useApi(`/api/estates/${me.estate_id}/suppliers`);
  const action = useAction();
  const [form, setForm] = useState({ role: "owner", name: "", units: [], supplier: "", kind: "bank" });
  const [created, setCreated] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    const body = { role: form.role, display_name: form.name.trim(), household_ids: form.units.map(Number) };
    if (form.role === "supplier") body.supplier_id = Number(form.supplier);
    if (form.role === "partner") { body.partner_kind = form.kind; body.household_ids = []; }
    const res = await action.run(() => api(`/api/estates/${me.estate_id}/members`, { method: "POST", body }));
    if (res) {
      setCreated({ ...res, name: body.display_name });
      setForm({ ...form, name: "", units: [] });
      onDone();
    }
  };
  return html`<details class="card" open=${!!created}><summary>${t("members.new")}</summary>
    <form onSubmit=${submit}>
      <label for="member-role">${t("members.role")}</label>
      <select id="member-role" value=${form.role} onChange=${set("role")}>
        ${GRANTABLE.map((r) => html`<option value=${r}>${t(`role.${r}`)}</option>`)}</select>
      <label for="member-name">${t("members.name")}</label>
      <input id="member-name" required value=${form.name} onInput=${set("name")} />
      ${form.role === "partner" ? html`<label for="member-kind">${t("partner.kind")}</label>
        <select id="member-kind" value=${form.kind} onChange=${set("kind")}>
          ${PARTNER_KINDS.map((k) => html`<option value=${k}>${t(`partner.kind.${k}`)}</option>`)}</select>`
      : form.role === "supplier" ? html`<label for="member-supplier">${t("quotes.supplier")}</label>
        <select id="member-supplier" required value=${form.supplier} onChange=${set("supplier")}>
          <option value="">—</option>
          ${itemsOf(suppliers.data).map((s) => html`<option value=${String(s.id)}>${s.name}</option>`)}</select>`
        : html`<label for="member-units">${t("members.unitsHelp")}</label>
        <select id="member-units" multiple size="6" onChange=${(e) => setForm({ ...form,
          units: [...e.currentTarget.selectedOptions].map((o) => o.value) })}>
          ${households.map((h) => html`<option value=${String(h.id)} selected=${form.units.includes(String(h.id))}>
            ${h.building} ${h.unit} · ${h.owner_name}</option>`)}</select>`}
      <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("members.create")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form>
    ${created ? html`<div class="ok" role="status" data-testid="new-member-link">
      <p>${t("members.linkOnce", { name: created.name })}</p>
      <input readonly aria-label=${t("members.link")} value=${created.login_url} onFocus=${(e) => e.currentTarget.select()} />
      <div class="actions"><button type="button" onClick=${() => navigator.clipboard && navigator.clipboard.writeText(created.login_url)}>${t("members.copy")}</button></div>
    </div>` : null}
  </details>`;
}
