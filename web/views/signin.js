import { html } from "../lib/html.js";
import { t, getLang } from "../lib/i18n.js";

/**
 * The sign-in screen: no session yet ("missing"), or the sign-in ended while the app was
 * open ("ended", "revoked"). The same card as the server's page for a link that does not
 * work (planner/access/signin_page.py): what happened, ask the committee for a new link, and
 * a plain form that posts a pasted link or token to /login (which signs in, or answers with
 * that page saying why not).
 */
export function SignIn({ reason = "missing" }) {
  const known = reason === "ended" || reason === "revoked";
  return html`<section class="card" data-testid="signin-problem" data-reason=${reason}
    role=${known ? "alert" : undefined}>
    <h1>${t(known ? `signin.${reason}.title` : "signin.title")}</h1>
    ${known
      ? html`<p>${t(`signin.${reason}.text`)}</p><p>${t("signin.askCommittee")}</p>`
      : html`<p>${t("signin.explain")}</p>`}
    <form method="post" action="/login">
      <input type="hidden" name="lang" value=${getLang()} />
      <label for="signin-link">${t(known ? "signin.pasteHint" : "signin.linkLabel")}</label>
      <input id="signin-link" name="link" autocomplete="off" required />
      <div class="actions"><button class="primary" type="submit">${t("signin.submit")}</button></div>
    </form>
  </section>`;
}
