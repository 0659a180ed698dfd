import type { PagePolicy } from '../../http/html';
import { EN, FR } from '../browser/till/text';
import { esc } from '../html';

/**
 * The till page (`GET /till`): what shop staff use to check and redeem a
 * customer's coupon, and sign customers up, on a tablet or the till's own
 * screen. This is its shell: the markup, in English, and an inline style sheet.
 * Its behaviour is a TypeScript module (functions/ui/browser/till/), bundled by
 * the front-end build and loaded from `assets/` on the same origin, so the page
 * runs under a CSP without inline scripts and needs nothing but the till API
 * next to it. Everything the API returns is written with `textContent`, never
 * parsed as HTML.
 */

/** What the page may load: its own script, and requests to the till API on the same origin. */
export const TILL_PAGE_POLICY = {
  scripts: true,
  connect: true,
  // Revalidated on every visit, so that a till picks up a new build (a new script name) at once.
  cache: 'no-cache',
} as const satisfies PagePolicy;

const CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; min-height: 100vh; background: #f3f4f6; color: #111827;
  font: 20px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
}
[hidden] { display: none !important; }
button, input, select { font: inherit; color: inherit; }
:focus-visible { outline: 4px solid #2563eb; outline-offset: 3px; }
.bar {
  display: flex; align-items: center; justify-content: space-between; gap: 16px; flex-wrap: wrap;
  padding: 10px 24px; background: #111827; color: #fff;
}
.bar h1 { margin: 0; font-size: 1.25rem; font-weight: 700; }
.tools { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.tag { font-size: 0.9rem; color: #d1d5db; }
.lang { display: inline-flex; border: 2px solid #6b7280; border-radius: 12px; overflow: hidden; }
.lang button {
  min-width: 60px; min-height: 48px; border: 0; background: transparent; color: #e5e7eb;
  font-weight: 700; cursor: pointer;
}
.lang button[aria-pressed='true'] { background: #fff; color: #111827; }
.ghost {
  min-height: 48px; padding: 0 16px; border: 2px solid #6b7280; border-radius: 12px;
  background: transparent; color: #fff; font-size: 0.95rem; cursor: pointer;
}
main { max-width: 920px; margin: 0 auto; padding: 20px 24px 40px; }
h2 { margin: 0 0 8px; font-size: 1.75rem; }
label { display: block; margin: 0 0 6px; font-weight: 700; }
input, select {
  width: 100%; min-height: 64px; padding: 8px 16px; border: 2px solid #6b7280; border-radius: 12px;
  background: #fff; font-size: 1.4rem;
}
input[aria-invalid='true'] { border-color: #b91c1c; box-shadow: 0 0 0 2px #b91c1c; }
input:disabled { background: #e5e7eb; color: #6b7280; }
.primary, .secondary {
  min-height: 64px; padding: 0 28px; border-radius: 12px; font-size: 1.4rem; font-weight: 700;
  cursor: pointer;
}
.primary { border: 0; background: #1d4ed8; color: #fff; }
.secondary { border: 3px solid #111827; background: #fff; color: #111827; }
button:disabled { cursor: not-allowed; }
.primary:disabled, #redeem:disabled { background: #4b5563; color: #fff; }
.secondary:disabled { border-color: #9ca3af; color: #4b5563; }
.hint { margin: 8px 0 0; color: #4b5563; font-size: 1rem; }
.field-error { margin: 6px 0 0; color: #b91c1c; font-weight: 700; font-size: 1.1rem; }
#redeem-form .field-error { margin: 0; }
.panel { background: #fff; border-radius: 16px; padding: 24px; box-shadow: 0 1px 3px rgb(0 0 0 / 0.12); }
.panel p { margin: 0 0 16px; }
.panel form { display: grid; gap: 16px; }
.alert { padding: 12px 16px; border-radius: 12px; background: #fde8e8; color: #991b1b; font-weight: 700; }
.note { padding: 12px 16px; border-radius: 12px; background: #e0ecff; color: #1e3a8a; }
.link {
  min-height: 48px; padding: 0; border: 0; background: none; color: #b91c1c; font-size: 1rem;
  text-decoration: underline; cursor: pointer; justify-self: start;
}
.actions { display: flex; gap: 12px; flex-wrap: wrap; }
.code-row { display: flex; gap: 12px; }
#code {
  flex: 1; min-width: 0; min-height: 80px; font-size: 2.1rem; font-weight: 700; letter-spacing: 0.08em;
  font-family: ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace;
  text-transform: uppercase;
}
#code::placeholder { color: #9ca3af; font-weight: 400; }
#check { min-height: 80px; min-width: 190px; font-size: 1.6rem; }
.card { margin-top: 20px; border-radius: 16px; padding: 20px 24px; border: 3px solid transparent; }
.card.empty { margin: 0; padding: 0; border: 0; }
.card.ok { background: #e7f6ec; border-color: #15803d; }
.card.bad { background: #fdecec; border-color: #b91c1c; }
.card.warn { background: #fff4db; border-color: #b45309; }
.card.info { background: #e0ecff; border-color: #1d4ed8; }
.card.busy { background: #fff; border-color: #d1d5db; }
.status p { margin: 0 0 8px; }
.headline {
  display: flex; align-items: center; gap: 14px; font-size: 2.2rem; font-weight: 800; line-height: 1.15;
}
.icon {
  display: inline-flex; align-items: center; justify-content: center; flex: none;
  width: 52px; height: 52px; border-radius: 50%; color: #fff; font-size: 1.8rem;
}
.ok .headline { color: #14532d; } .ok .icon { background: #15803d; }
.bad .headline { color: #7f1d1d; } .bad .icon { background: #b91c1c; }
.warn .headline { color: #78350f; } .warn .icon { background: #b45309; }
.info .headline { color: #1e3a8a; } .info .icon { background: #1d4ed8; }
.busy .headline { color: #374151; font-size: 1.6rem; }
.reason { font-size: 1.45rem; font-weight: 600; }
.offer { font-size: 1.8rem; font-weight: 700; }
.bad .offer { font-size: 1.3rem; font-weight: 600; color: #4b5563; }
.detail { font-size: 1.15rem; color: #374151; }
.facts {
  display: flex; flex-wrap: wrap; gap: 10px 40px;
  margin: 12px 0 0; padding: 12px 0 0; border-top: 2px solid rgb(0 0 0 / 0.1);
}
.facts div { min-width: 120px; max-width: 100%; }
.facts dt { font-size: 0.95rem; color: #4b5563; }
.facts dd { margin: 0; font-size: 1.3rem; font-weight: 700; overflow-wrap: anywhere; }
.facts dd.mono { overflow-wrap: normal; white-space: nowrap; }
.mono { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace; }
#redeem-form {
  display: grid; grid-template-columns: 2fr 1.5fr 1fr; gap: 12px 16px; margin-top: 16px;
  padding-top: 16px; border-top: 2px solid rgb(0 0 0 / 0.1);
}
#redeem-form .wide { grid-column: 1 / -1; }
#redeem {
  min-height: 80px; font-size: 1.7rem; background: #15803d; border: 0; color: #fff;
}
#undo-box { margin-top: 16px; padding-top: 16px; border-top: 2px solid rgb(0 0 0 / 0.1); }
#undo-box p { margin: 0 0 10px; font-size: 1.1rem; }
#undo { min-width: 260px; }
#signup-bar { margin-top: 20px; }
#signup { margin-top: 20px; }
#signup h2 { font-size: 1.5rem; }
.signup-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 12px 16px; }
.check {
  display: flex; align-items: flex-start; gap: 16px; margin: 0; font-weight: 400; font-size: 1.1rem;
  cursor: pointer;
}
.check input {
  flex: none; width: 48px; height: 48px; min-height: 48px; margin: 0; padding: 0; accent-color: #1d4ed8;
}
#signup-status:not(.empty) { margin: 16px 0; }
#signup-status .headline { font-size: 1.6rem; }
@media (max-width: 640px) {
  main { padding: 16px; }
  .signup-grid { grid-template-columns: 1fr; }
  .code-row { flex-direction: column; }
  #check { width: 100%; }
  #redeem-form { grid-template-columns: 1fr; }
  .bar { padding: 8px 16px; }
  .card { padding: 16px; }
  .headline { font-size: 1.8rem; }
  .offer { font-size: 1.5rem; }
  #code { font-size: 1.5rem; letter-spacing: 0.02em; }
  #redeem { font-size: 1.4rem; }
}
`;

const BODY = `
<header class="bar">
  <h1 data-t="brand">${esc(EN.brand)}</h1>
  <div class="tools">
    <span id="store-tag" class="tag" hidden></span>
    <button type="button" id="change-store" class="ghost" data-t="changeStore" hidden>
      ${esc(EN.changeStore)}
    </button>
    <div class="lang" role="group" data-t-label="language" aria-label="${esc(EN.language)}">
      <button type="button" data-lang="fr" lang="fr" aria-pressed="false">FR</button>
      <button type="button" data-lang="en" lang="en" aria-pressed="true">EN</button>
    </div>
  </div>
</header>
<main>
  <noscript><p class="alert">${esc(EN.noscript)} / ${esc(FR.noscript)}</p></noscript>
  <section id="setup" class="panel" aria-labelledby="setup-title" hidden>
    <h2 id="setup-title" data-t="keyTitle">${esc(EN.keyTitle)}</h2>
    <p data-t="keyIntro">${esc(EN.keyIntro)}</p>
    <p id="setup-error" class="alert" role="alert" hidden></p>
    <p id="setup-note" class="note" role="status" hidden></p>
    <form id="setup-form" novalidate>
      <div>
        <label for="key" data-t="keyLabel">${esc(EN.keyLabel)}</label>
        <input id="key" name="key" type="password" autocomplete="off" autocapitalize="off" spellcheck="false"
          required aria-describedby="key-error">
        <p id="key-error" class="field-error" hidden></p>
      </div>
      <div>
        <label for="till" data-t="tillLabel">${esc(EN.tillLabel)}</label>
        <input id="till" name="till" type="text" autocomplete="off" maxlength="64" spellcheck="false">
      </div>
      <div class="actions">
        <button type="submit" class="primary" data-t="keySave">${esc(EN.keySave)}</button>
        <button type="button" id="cancel-setup" class="secondary" data-t="keyCancel" hidden>
          ${esc(EN.keyCancel)}
        </button>
      </div>
      <button type="button" id="forget" class="link" data-t="keyForget" hidden>${esc(EN.keyForget)}</button>
    </form>
  </section>
  <section id="desk" hidden>
    <form id="code-form" role="search" novalidate>
      <label for="code" data-t="codeLabel">${esc(EN.codeLabel)}</label>
      <div class="code-row">
        <input id="code" name="code" type="text" inputmode="text" autocomplete="off"
          autocapitalize="characters" autocorrect="off" spellcheck="false" enterkeyhint="go" maxlength="40"
          placeholder="XXXX-XXXX-XXXX-X" required autofocus aria-describedby="code-hint code-error">
        <button type="submit" id="check" class="primary">${esc(EN.check)}</button>
      </div>
      <p id="code-error" class="field-error" hidden></p>
      <p id="code-hint" class="hint" data-t="codeHint">${esc(EN.codeHint)}</p>
    </form>
    <div id="card" class="card empty">
      <div id="status" class="status" role="status" aria-live="polite" aria-atomic="true"></div>
      <form id="redeem-form" hidden novalidate>
        <div>
          <label for="receipt" data-t="receiptLabel">${esc(EN.receiptLabel)}</label>
          <input id="receipt" name="receipt" type="text" autocomplete="off" maxlength="64" spellcheck="false"
            enterkeyhint="next" required aria-describedby="receipt-error">
        </div>
        <div>
          <label for="basket" data-t="basketLabel">${esc(EN.basketLabel)}</label>
          <input id="basket" name="basket" type="text" inputmode="decimal" autocomplete="off" maxlength="12"
            enterkeyhint="done" required aria-describedby="basket-error">
        </div>
        <div>
          <label for="currency" data-t="currencyLabel">${esc(EN.currencyLabel)}</label>
          <select id="currency" name="currency">
            <option value="EUR" selected>EUR</option>
          </select>
        </div>
        <p id="receipt-error" class="field-error wide" hidden></p>
        <p id="basket-error" class="field-error wide" hidden></p>
        <p id="redeem-error" class="alert wide" role="alert" hidden></p>
        <button type="submit" id="redeem" class="primary wide">${esc(EN.redeem)}</button>
      </form>
      <div id="undo-box" hidden>
        <p id="undo-until"></p>
        <button type="button" id="undo" class="secondary"></button>
      </div>
    </div>
    <div id="signup-bar">
      <button type="button" id="signup-open" class="secondary" data-t="signupOpen">${esc(EN.signupOpen)}</button>
    </div>
    <section id="signup" class="panel" aria-labelledby="signup-title" hidden>
      <h2 id="signup-title" data-t="signupTitle">${esc(EN.signupTitle)}</h2>
      <p class="hint" data-t="signupIntro">${esc(EN.signupIntro)}</p>
      <div id="signup-status" class="card empty" role="status" aria-live="polite" aria-atomic="true"></div>
      <form id="signup-form" novalidate>
        <div class="signup-grid">
          <div>
            <label for="signup-first-name" data-t="signupFirstName">${esc(EN.signupFirstName)}</label>
            <input id="signup-first-name" name="firstName" type="text" autocomplete="off" maxlength="100"
              enterkeyhint="next">
          </div>
          <div>
            <label for="signup-locale" data-t="signupLocale">${esc(EN.signupLocale)}</label>
            <select id="signup-locale" name="locale">
              <option value="fr" lang="fr">Français</option>
              <option value="en" lang="en" selected>English</option>
            </select>
          </div>
          <div>
            <label for="signup-email" data-t="signupEmail">${esc(EN.signupEmail)}</label>
            <input id="signup-email" name="email" type="email" inputmode="email" autocomplete="off"
              autocapitalize="off" spellcheck="false" maxlength="254" aria-describedby="signup-email-error">
            <p id="signup-email-error" class="field-error" hidden></p>
          </div>
          <div>
            <label for="signup-phone" data-t="signupPhone">${esc(EN.signupPhone)}</label>
            <input id="signup-phone" name="phone" type="tel" inputmode="tel" autocomplete="off" maxlength="32"
              aria-describedby="signup-phone-error">
            <p id="signup-phone-error" class="field-error" hidden></p>
          </div>
        </div>
        <label class="check" for="signup-email-consent">
          <input id="signup-email-consent" name="emailConsent" type="checkbox">
          <span data-t="signupEmailConsent">${esc(EN.signupEmailConsent)}</span>
        </label>
        <label class="check" for="signup-sms-consent">
          <input id="signup-sms-consent" name="smsConsent" type="checkbox">
          <span data-t="signupSmsConsent">${esc(EN.signupSmsConsent)}</span>
        </label>
        <p id="signup-error" class="alert" role="alert" hidden></p>
        <div class="actions">
          <button type="submit" id="signup-submit" class="primary" data-t="signupSubmit">${esc(EN.signupSubmit)}</button>
          <button type="button" id="signup-close" class="secondary" data-t="signupClose">
            ${esc(EN.signupClose)}
          </button>
        </div>
      </form>
    </section>
  </section>
</main>`;

/**
 * The till page, loading its script from `script` (`assets/till-5KQ3ZP2L.js`, relative to the
 * page). The store key is typed once on the device and kept in its localStorage, so the document
 * itself holds no secret: the same for everyone, for a given build.
 */
export function tillPage(script: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>${esc(EN.title)}</title>
<style>${CSS}</style>
</head>
<body>${BODY}
<script src="${esc(script)}"></script>
</body>
</html>
`;
}
