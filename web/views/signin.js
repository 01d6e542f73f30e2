import { html, useState } from "../lib/html.js";
import { t } from "../lib/i18n.js";

/** Shown when there is no session: sign-in happens by opening the link one was given. */
export function SignIn() {
  const [value, setValue] = useState("");
  const submit = (e) => {
    e.preventDefault();
    const text = value.trim();
    let token = text;
    try {
      const url = new URL(text);
      token = url.searchParams.get("token") || "";
    } catch {
      /* not a URL: the token itself was pasted */
    }
    if (token) location.assign(`/login?token=${encodeURIComponent(token)}`);
  };
  return html`<section class="card">
    <h1>${t("signin.title")}</h1>
    <p>${t("signin.explain")}</p>
    <form onSubmit=${submit}>
      <label for="signin-link">${t("signin.linkLabel")}</label>
      <input id="signin-link" autocomplete="off" value=${value}
        onInput=${(e) => setValue(e.currentTarget.value)} />
      <div class="actions"><button class="primary" type="submit">${t("signin.submit")}</button></div>
    </form>
  </section>`;
}
