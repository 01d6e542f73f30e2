"""The page a browser gets when a sign-in link does not work (issue 16).

Browsers (``Accept`` preferring ``text/html``) opening a bad, revoked or refused link get a page
in their language instead of problem+json: what happened, "ask your committee for a new link",
and a plain form (no script: the page's CSP allows none inline) that posts a pasted link or
token back to ``/login``. API clients keep problem+json.

What the page tells apart (``Reason``): ``invalid`` (no member has this token: mistyped, cut
short, never issued), ``revoked`` (the token was issued and withdrawn; only someone holding a
real token, 32 random bytes, can ever see this, so it tells a guesser nothing), ``ended`` (the
web app's own sign-in ended, shown there and on a language switch; sign-in links do not expire,
sessions do), ``limited`` (too many failed attempts: 429, "try again in N minutes") and
``missing`` (no token at all). The page never repeats the token it was given.

The texts are the web app's (``web/i18n/<lang>.json``, keys ``signin.*``), and so is the
language: ``?lang=`` first, then the ``planner_lang`` cookie the web app writes when the person
picks a language, then ``Accept-Language`` (English when it ranks English above Chinese),
else Chinese.
"""

from __future__ import annotations

import functools
import json
import math
from html import escape
from pathlib import Path
from typing import Literal

I18N_DIR = Path(__file__).resolve().parents[2] / "web" / "i18n"
LANGUAGES = ("zh-CN", "en")
LANG_COOKIE = "planner_lang"

Reason = Literal["invalid", "revoked", "ended", "limited", "missing"]
REASONS: tuple[Reason, ...] = ("invalid", "revoked", "ended", "limited", "missing")
CODE_REASONS: dict[str, Reason] = {
    "signin_link_invalid": "invalid",
    "signin_link_revoked": "revoked",
    "too_many_requests": "limited",
}


@functools.cache
def _texts(lang: str) -> dict[str, str]:
    texts: dict[str, str] = json.loads((I18N_DIR / f"{lang}.json").read_text("utf-8"))
    return texts


def _known(lang: str | None) -> str | None:
    if not lang:
        return None
    lang = lang.strip()
    if lang.lower().startswith("zh"):
        return "zh-CN"
    if lang.lower().startswith("en"):
        return "en"
    return None


def _accept_language(header: str) -> str | None:
    """The one of our languages the header ranks highest (ties: the first listed)."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")):
        tag, _, rest = part.strip().partition(";")
        lang = _known(tag)
        if lang is None:
            continue
        q = 1.0
        for param in rest.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if best is None or (q, -position) > (best[0], -best[1]):
            best = (q, position, lang)
    return best[2] if best else None


def pick_lang(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=``, then the web app's cookie, then Accept-Language, else Chinese."""
    return (
        _known(query)
        or (cookie if cookie in LANGUAGES else None)
        or _accept_language(accept_language or "")
        or "zh-CN"
    )


def retry_minutes(retry_after_s: int) -> int:
    return max(1, math.ceil(retry_after_s / 60))


def render(lang: str, reason: Reason, minutes: int = 1) -> str:
    """The whole page; every text escaped, no script, no inline handler."""
    texts = _texts(lang)

    def t(key: str) -> str:
        return escape(texts[key].replace("{minutes}", str(minutes)))

    other = "en" if lang == "zh-CN" else "zh-CN"
    switch = f"/login?lang={other}&why={reason}"
    if reason == "limited":
        switch += f"&wait={minutes}"
    if reason == "missing":
        heading, lines = t("signin.title"), [t("signin.explain")]
    elif reason == "limited":
        heading, lines = t("signin.limited.title"), [t("signin.limited.text")]
    else:
        heading = t(f"signin.{reason}.title")
        lines = [t(f"signin.{reason}.text"), t("signin.askCommittee")]
    label = t("signin.linkLabel" if reason == "missing" else "signin.pasteHint")
    paragraphs = "\n      ".join(f"<p>{line}</p>" for line in lines)
    return f"""<!doctype html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light">
  <meta name="referrer" content="no-referrer">
  <title>{heading} · {t("app.name")}</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/app.css">
</head>
<body>
  <header class="top"><a class="brand" href="/">{t("app.name")}</a><span class="who"></span>
    <a class="lang" lang="{other}" href="{escape(switch)}"
      data-testid="lang-toggle">{t("lang.switchTo")}</a></header>
  <main id="content">
    <section class="card" data-testid="signin-problem" data-reason="{reason}" role="alert">
      <h1>{heading}</h1>
      {paragraphs}
      <form method="post" action="/login">
        <input type="hidden" name="lang" value="{lang}">
        <label for="signin-link">{label}</label>
        <input id="signin-link" name="link" autocomplete="off" required>
        <div class="actions">
          <button class="primary" type="submit">{t("signin.submit")}</button></div>
      </form>
    </section>
  </main>
</body>
</html>
"""
