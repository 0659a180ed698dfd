import { esc } from '../html';
/**
 * The till page (`GET /till`): what shop staff use to check and redeem a
 * customer's coupon on a tablet or the till's own screen. One self-contained
 * HTML document — inline CSS, inline vanilla JS, no framework, no build step,
 * no external asset — so it loads under a strict CSP and needs nothing but the
 * till API on the same origin. Everything the API returns is written with
 * `textContent`, never parsed as HTML.
 */

/** The Content-Security-Policy the page is served with: its only requests are the till API's. */
export const TILL_PAGE_CSP =
  "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";

const EN = {
  tag: 'en-GB',
  title: 'Relance — Till',
  brand: 'Coupons at the till',
  language: 'Language',
  noscript: 'This page needs JavaScript.',
  keyTitle: 'Set up this till',
  keyIntro: 'Enter the store key once: it stays on this device until you change store.',
  keyLabel: 'Store key',
  tillLabel: 'Till name (optional)',
  keySave: 'Save',
  keyCancel: 'Cancel',
  keyForget: 'Forget the key on this device',
  keyForgotten: 'The key was removed from this device.',
  keyMissing: 'Enter the store key.',
  keyTail: 'Key …{tail}',
  tillTag: 'Till {till}',
  changeStore: 'Change store',
  codeLabel: 'Coupon code',
  codeHint: 'Scan the barcode or type the code, with or without dashes.',
  codeMissing: 'Type or scan a code first.',
  check: 'Check',
  checking: 'Checking…',
  wait: 'Wait {seconds} s',
  valid: 'Valid coupon',
  code: 'Code',
  firstName: 'First name',
  validUntil: 'Valid until',
  validFrom: 'Valid from',
  minBasket: 'Minimum basket',
  noMinBasket: 'None',
  gift: 'Gift',
  receipt: 'Receipt',
  basket: 'Basket',
  reason_unknown_title: 'Unknown code',
  reason_unknown: 'Check the characters and try again.',
  reason_expired_title: 'Expired',
  reason_expired: 'This coupon expired on {date}.',
  reason_not_yet_valid_title: 'Not valid yet',
  reason_not_yet_valid: 'This coupon can be used from {date}.',
  reason_wrong_store_title: 'Not valid in this store',
  reason_wrong_store: 'This coupon is for other stores only.',
  reason_already_redeemed_title: 'Already used',
  reason_already_redeemed: 'Already used on {date} at {time} in store {store}.',
  reason_already_redeemed_plain: 'This coupon has already been used.',
  reason_voided_title: 'Cancelled coupon',
  reason_voided: 'This coupon was cancelled and cannot be used.',
  reason_other_title: 'Coupon refused',
  reason_other: 'This coupon cannot be used.',
  receiptLabel: 'Receipt number',
  basketLabel: 'Basket amount',
  currencyLabel: 'Currency',
  redeem: 'Redeem',
  redeeming: 'Redeeming…',
  errReceipt: 'Enter the receipt number.',
  errBasket: 'Enter the basket amount, for example 42.50.',
  errMinBasket: 'The basket is below this coupon’s minimum of {amount}.',
  done: 'Coupon redeemed',
  doneDetail: 'Receipt {receipt}, basket {amount}, at {time}.',
  undo: 'Undo ({left})',
  undoing: 'Undoing…',
  undoUntil: 'Entered by mistake? You can undo until {time}.',
  undone: 'Redemption undone',
  undoneDetail: 'Coupon {code} can be used again.',
  undoTooLate: 'Cannot undo any more',
  undoTooLateDetail: 'The undo window is over, or another store has used this coupon.',
  notRedeemable: 'This coupon cannot be redeemed',
  badCode: 'This is not a coupon code',
  badCodeDetail: 'Check the characters and try again.',
  badInput: 'The server refused what was entered',
  keyRefused: 'The store key was refused. Check it and enter it again.',
  notStoreKey: 'This key is not a store key. Enter the key of this store.',
  rate: 'Too many wrong codes',
  rateDetail: 'For safety, wait {seconds} seconds before the next code.',
  rateOver: 'You can check codes again.',
  network: 'No connection to the server',
  networkDetail: 'Check the network, then try again.',
  server: 'The server had a problem ({status})',
  serverDetail: 'Try again in a moment.',
  unexpected: 'Unexpected answer ({status})',
  signupOpen: 'Sign up a customer',
  signupTitle: 'Sign up a customer',
  signupIntro:
    'With the customer: their first name, an email or a mobile number, and the boxes they tick themselves.',
  signupFirstName: 'First name',
  signupLocale: 'Language of the messages',
  signupEmail: 'Email',
  signupPhone: 'Mobile number',
  signupEmailConsent:
    'I agree to receive news and offers by email. I will confirm by clicking the link in the email I am sent.',
  signupSmsConsent: 'I agree to receive news and offers by SMS. I can reply STOP at any time to stop them.',
  signupSubmit: 'Sign up',
  signupSubmitting: 'Signing up…',
  signupClose: 'Back to coupons',
  signupNeedAddress: 'Enter an email or a mobile number.',
  signupBadEmail: 'This email address does not look right.',
  signupBadPhone: 'This mobile number does not look right.',
  signupNeedEmail: 'Email consent needs an email address.',
  signupNeedPhone: 'SMS consent needs a mobile number.',
  signupDone: 'Customer signed up',
  signupDoneName: '{name} is signed up',
  signupEmailSent:
    'A confirmation email is on its way to {email}: emails start once the customer clicks its link.',
  signupEmailWait:
    'A confirmation email went to {email} a few minutes ago: ask the customer to look in their inbox (or spam).',
  signupEmailGranted: '{email} already receives our emails.',
  signupEmailDenied: '{email} unsubscribed before: no email will be sent to it.',
  signupEmailNone: 'No email consent: no email will be sent.',
  signupSmsGranted: 'SMS consent recorded for {phone}.',
  signupSmsDenied: '{phone} asked for no more SMS before: none will be sent to it.',
  signupConflict: 'This email and this number belong to two different customers.',
  signupRefused: 'The sign-up was refused',
};

type TillText = Record<keyof typeof EN, string>;

const FR: TillText = {
  tag: 'fr-FR',
  title: 'Relance — Caisse',
  brand: 'Coupons en caisse',
  language: 'Langue',
  noscript: 'Cette page a besoin de JavaScript.',
  keyTitle: 'Configurer cette caisse',
  keyIntro:
    'Saisissez la clé du magasin une seule fois : elle reste sur cet appareil jusqu’au changement de magasin.',
  keyLabel: 'Clé du magasin',
  tillLabel: 'Nom de la caisse (facultatif)',
  keySave: 'Enregistrer',
  keyCancel: 'Annuler',
  keyForget: 'Oublier la clé sur cet appareil',
  keyForgotten: 'La clé a été retirée de cet appareil.',
  keyMissing: 'Saisissez la clé du magasin.',
  keyTail: 'Clé …{tail}',
  tillTag: 'Caisse {till}',
  changeStore: 'Changer de magasin',
  codeLabel: 'Code du coupon',
  codeHint: 'Scannez le code-barres ou tapez le code, avec ou sans tirets.',
  codeMissing: 'Tapez ou scannez d’abord un code.',
  check: 'Vérifier',
  checking: 'Vérification…',
  wait: 'Attendez {seconds} s',
  valid: 'Coupon valable',
  code: 'Code',
  firstName: 'Prénom',
  validUntil: 'Valable jusqu’au',
  validFrom: 'Valable à partir du',
  minBasket: 'Panier minimum',
  noMinBasket: 'Aucun',
  gift: 'Cadeau',
  receipt: 'Ticket',
  basket: 'Panier',
  reason_unknown_title: 'Code inconnu',
  reason_unknown: 'Vérifiez les caractères et réessayez.',
  reason_expired_title: 'Expiré',
  reason_expired: 'Ce coupon a expiré le {date}.',
  reason_not_yet_valid_title: 'Pas encore valable',
  reason_not_yet_valid: 'Ce coupon est utilisable à partir du {date}.',
  reason_wrong_store_title: 'Non valable dans ce magasin',
  reason_wrong_store: 'Ce coupon est réservé à d’autres magasins.',
  reason_already_redeemed_title: 'Déjà utilisé',
  reason_already_redeemed: 'Déjà utilisé le {date} à {time} au magasin {store}.',
  reason_already_redeemed_plain: 'Ce coupon a déjà été utilisé.',
  reason_voided_title: 'Coupon annulé',
  reason_voided: 'Ce coupon a été annulé et ne peut pas être utilisé.',
  reason_other_title: 'Coupon refusé',
  reason_other: 'Ce coupon ne peut pas être utilisé.',
  receiptLabel: 'Numéro de ticket',
  basketLabel: 'Montant du panier',
  currencyLabel: 'Devise',
  redeem: 'Utiliser le coupon',
  redeeming: 'Enregistrement…',
  errReceipt: 'Saisissez le numéro de ticket.',
  errBasket: 'Saisissez le montant du panier, par exemple 42,50.',
  errMinBasket: 'Le panier est inférieur au minimum de ce coupon : {amount}.',
  done: 'Coupon utilisé',
  doneDetail: 'Ticket {receipt}, panier de {amount}, à {time}.',
  undo: 'Annuler l’utilisation ({left})',
  undoing: 'Annulation…',
  undoUntil: 'Une erreur ? Vous pouvez annuler jusqu’à {time}.',
  undone: 'Utilisation annulée',
  undoneDetail: 'Le coupon {code} peut de nouveau être utilisé.',
  undoTooLate: 'Annulation impossible',
  undoTooLateDetail: 'Le délai d’annulation est passé, ou un autre magasin a utilisé ce coupon.',
  notRedeemable: 'Ce coupon ne peut pas être utilisé',
  badCode: 'Ce n’est pas un code de coupon',
  badCodeDetail: 'Vérifiez les caractères et réessayez.',
  badInput: 'Le serveur a refusé la saisie',
  keyRefused: 'La clé du magasin a été refusée. Vérifiez-la et saisissez-la de nouveau.',
  notStoreKey: 'Cette clé n’est pas une clé de magasin. Saisissez la clé de ce magasin.',
  rate: 'Trop de codes erronés',
  rateDetail: 'Par sécurité, attendez {seconds} secondes avant le code suivant.',
  rateOver: 'Vous pouvez de nouveau vérifier des codes.',
  network: 'Pas de connexion au serveur',
  networkDetail: 'Vérifiez le réseau, puis réessayez.',
  server: 'Le serveur a rencontré un problème ({status})',
  serverDetail: 'Réessayez dans un instant.',
  unexpected: 'Réponse inattendue ({status})',
  signupOpen: 'Nouvelle inscription',
  signupTitle: 'Inscrire un client',
  signupIntro:
    'Avec le client : son prénom, un email ou un numéro de mobile, et les cases qu’il coche lui-même.',
  signupFirstName: 'Prénom',
  signupLocale: 'Langue des messages',
  signupEmail: 'Email',
  signupPhone: 'Numéro de mobile',
  signupEmailConsent:
    'J’accepte de recevoir les actualités et offres par email. Je confirmerai en cliquant sur le lien de l’email que je vais recevoir.',
  signupSmsConsent:
    'J’accepte de recevoir les actualités et offres par SMS. Je peux répondre STOP à tout moment pour ne plus les recevoir.',
  signupSubmit: 'Inscrire',
  signupSubmitting: 'Inscription…',
  signupClose: 'Retour aux coupons',
  signupNeedAddress: 'Saisissez un email ou un numéro de mobile.',
  signupBadEmail: 'Cette adresse email ne semble pas correcte.',
  signupBadPhone: 'Ce numéro de mobile ne semble pas correct.',
  signupNeedEmail: 'Le consentement email demande une adresse email.',
  signupNeedPhone: 'Le consentement SMS demande un numéro de mobile.',
  signupDone: 'Client inscrit',
  signupDoneName: '{name} est inscrit(e)',
  signupEmailSent:
    'Un email de confirmation part vers {email} : les emails commenceront quand le client aura cliqué sur son lien.',
  signupEmailWait:
    'Un email de confirmation est parti vers {email} il y a quelques minutes : invitez le client à regarder sa boîte de réception (ou ses spams).',
  signupEmailGranted: '{email} reçoit déjà nos emails.',
  signupEmailDenied: '{email} s’est désabonné(e) auparavant : aucun email ne lui sera envoyé.',
  signupEmailNone: 'Pas de consentement email : aucun email ne sera envoyé.',
  signupSmsGranted: 'Consentement SMS enregistré pour le {phone}.',
  signupSmsDenied: 'Le {phone} a demandé à ne plus recevoir de SMS : aucun ne lui sera envoyé.',
  signupConflict: 'Cet email et ce numéro appartiennent à deux clients différents.',
  signupRefused: 'L’inscription a été refusée',
};

/** Every string the page shows, per language; the page picks one from `navigator.language`. */
export const TILL_TEXT: { readonly en: TillText; readonly fr: TillText } = { en: EN, fr: FR };

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

/**
 * The page's behaviour, plain modern JS kept as a raw string (no TS inside, no
 * backtick, no dollar-brace: it sits in a template literal). The strings come
 * from TILL_TEXT, embedded as JSON.
 */
const SCRIPT = String.raw`
(function () {
  'use strict';

  var TEXT = __TEXT__;
  var KEYS = { key: 'relance.till.key', till: 'relance.till.id', lang: 'relance.till.lang' };
  var REQUEST_TIMEOUT_MS = 15000;
  var REASONS = ['unknown', 'expired', 'not_yet_valid', 'wrong_store', 'already_redeemed', 'voided'];
  // The API sits next to the page: /till -> /v1/coupons/, /prod/till -> /prod/v1/coupons/.
  var API = location.pathname.replace(/till\/?$/, '') + 'v1/coupons/';
  var SIGNUP_API = location.pathname.replace(/till\/?$/, '') + 'v1/signups';

  // localStorage can be off (private mode, policy): the page still works, for this visit.
  var memory = {};
  var storage = {
    get: function (name) {
      try {
        return localStorage.getItem(name);
      } catch (e) {
        return name in memory ? memory[name] : null;
      }
    },
    set: function (name, value) {
      try {
        localStorage.setItem(name, value);
      } catch (e) {
        memory[name] = value;
      }
    },
    remove: function (name) {
      try {
        localStorage.removeItem(name);
      } catch (e) {
        delete memory[name];
      }
    },
  };

  var el = {};
  [
    'setup', 'setup-form', 'setup-error', 'setup-note', 'key', 'key-error', 'till', 'cancel-setup', 'forget',
    'desk', 'code-form', 'code', 'code-error', 'check', 'card', 'status', 'redeem-form', 'receipt',
    'receipt-error', 'basket', 'basket-error', 'currency', 'redeem', 'redeem-error', 'undo-box',
    'undo-until', 'undo', 'store-tag', 'change-store', 'signup-open', 'signup', 'signup-form',
    'signup-first-name', 'signup-locale', 'signup-email', 'signup-email-error', 'signup-phone',
    'signup-phone-error', 'signup-email-consent', 'signup-sms-consent', 'signup-error', 'signup-submit',
    'signup-close', 'signup-status',
  ].forEach(function (id) {
    el[id.replace(/-(\w)/g, function (m, c) { return c.toUpperCase(); })] = document.getElementById(id);
  });

  var lang = pickLanguage();
  var view = { kind: 'empty' }; // what the card shows: redrawn from here when the language changes
  var coupon = null; // the valid coupon the redeem form is for
  var redeemed = null; // the last redemption, while it can be undone: { code, receiptRef, deadline }
  var busy = false;
  var blockedUntil = 0;
  var undoTimer = 0;
  var waitTimer = 0;
  var fieldErrors = new Map(); // error element -> function giving its text in the current language
  var signupBusy = false;
  var signupView = null; // the last sign-up's outcome: { tone, icon, title, vars, lines: [[key, vars]] }

  function pickLanguage() {
    var saved = storage.get(KEYS.lang);
    if (saved === 'fr' || saved === 'en') return saved;
    return String(navigator.language || 'en').toLowerCase().indexOf('fr') === 0 ? 'fr' : 'en';
  }

  function t(key, vars) {
    var text = TEXT[lang][key] !== undefined ? TEXT[lang][key] : TEXT.en[key];
    if (text === undefined) return key;
    if (!vars) return text;
    return text.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : match;
    });
  }

  // ---- Formatting, in the tablet's time zone (the shop's) ----

  function toDate(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? null : date;
  }

  function formatDate(iso) {
    var date = toDate(iso);
    if (!date) return String(iso);
    var options = { day: 'numeric', month: 'long' };
    if (date.getFullYear() !== new Date().getFullYear()) options.year = 'numeric';
    return date.toLocaleDateString(t('tag'), options);
  }

  function formatTime(iso) {
    var date = toDate(iso);
    return date ? date.toLocaleTimeString(t('tag'), { hour: '2-digit', minute: '2-digit' }) : String(iso);
  }

  function formatMoney(value, currency) {
    try {
      var options = { style: 'currency', currency: currency || 'EUR' };
      return new Intl.NumberFormat(t('tag'), options).format(value);
    } catch (e) {
      return String(value) + ' ' + String(currency || '');
    }
  }

  function formatCountdown(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ':' + (rest < 10 ? '0' : '') + rest;
  }

  function offerText(offer) {
    if (!offer) return '';
    if (typeof offer.text === 'string' && offer.text) return offer.text;
    if (offer.kind === 'percent') return '-' + offer.value + ' %';
    if (offer.kind === 'amount') return '-' + formatMoney(offer.value, offer.currency);
    return t('gift');
  }

  /** "42,50", "42.5", "1 200,00 €" -> a number; anything else -> null. */
  function parseAmount(raw) {
    var cleaned = String(raw).replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
    return /^\d+(\.\d{1,2})?$/.test(cleaned) ? Number(cleaned) : null;
  }

  function serverMessage(data) {
    if (!data || typeof data !== 'object') return '';
    var parts = typeof data.message === 'string' ? [data.message] : [];
    (Array.isArray(data.issues) ? data.issues : []).forEach(function (issue) {
      var text = issue && typeof issue.message === 'string' ? issue.message : '';
      if (text && parts.indexOf(text) < 0) parts.push(text);
    });
    return parts.join(' ');
  }

  // ---- DOM helpers: text only, never HTML ----

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = String(text);
    return element;
  }

  function headline(icon, text) {
    var line = node('p', 'headline');
    var mark = node('span', 'icon', icon);
    mark.setAttribute('aria-hidden', 'true');
    line.append(mark, node('span', '', text));
    return line;
  }

  /** Rows of [label, value, class]; empty values are left out. */
  function facts(rows) {
    var list = node('dl', 'facts');
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === '') return;
      var item = node('div');
      item.append(node('dt', '', row[0]), node('dd', row[2] || '', row[1]));
      list.append(item);
    });
    return list;
  }

  function showFieldError(input, box, text) {
    input.setAttribute('aria-invalid', 'true');
    fieldErrors.set(box, text);
    box.textContent = text();
    box.hidden = false;
  }

  function clearFieldError(input, box) {
    input.removeAttribute('aria-invalid');
    fieldErrors.delete(box);
    box.textContent = '';
    box.hidden = true;
  }

  function focusCode() {
    if (el.desk.hidden || el.code.disabled) return;
    el.code.focus();
    el.code.select(); // the next scan replaces the last code
  }

  // ---- The result card: one view at a time ----

  function setView(next) {
    view = next;
    render();
  }

  function message(tone, icon, title, detail, vars, server) {
    setView({
      kind: 'message', tone: tone, icon: icon, title: title, detail: detail, vars: vars, server: server,
    });
  }

  function render() {
    var v = view;
    el.status.replaceChildren();
    el.redeemForm.hidden = true;
    el.undoBox.hidden = true;
    el.card.className = 'card ' + (v.kind === 'empty' ? 'empty' : v.tone);
    el.card.setAttribute('aria-busy', v.kind === 'busy' ? 'true' : 'false');
    if (v.kind === 'busy') {
      el.status.append(headline('…', t('checking')));
    } else if (v.kind === 'coupon') {
      renderCoupon(v.data);
    } else if (v.kind === 'redeemed') {
      renderRedeemed(v);
    } else if (v.kind === 'message') {
      el.status.append(headline(v.icon, t(v.title, v.vars)));
      if (v.detail) el.status.append(node('p', 'reason', t(v.detail, v.vars)));
      if (v.server) el.status.append(node('p', 'detail', v.server));
    }
    // Whatever happened since (a failed undo, say), a redemption that can still be undone keeps its button.
    if (redeemed && redeemed.deadline > Date.now()) {
      el.undoBox.hidden = false;
      el.undoUntil.textContent = t('undoUntil', { time: formatTime(new Date(redeemed.deadline)) });
      tickUndo();
    }
  }

  /** Why a coupon is refused, in plain words: [title, sentence]. */
  function refusal(data) {
    var reason = REASONS.indexOf(data.reason) >= 0 ? data.reason : 'other';
    var title = t('reason_' + reason + '_title');
    var r = data.redemption;
    if (reason === 'already_redeemed') {
      if (!r || !toDate(r.at)) return [title, t('reason_already_redeemed_plain')];
      var where = { date: formatDate(r.at), time: formatTime(r.at), store: r.storeId || '?' };
      return [title, t('reason_already_redeemed', where)];
    }
    var date = formatDate(reason === 'expired' ? data.validUntil : data.validFrom);
    return [title, t('reason_' + reason, { date: date })];
  }

  function renderCoupon(data) {
    var offer = data.offer || {};
    var rows = [[t('code'), data.code, 'mono']];
    if (data.valid) {
      el.status.append(headline('✓', t('valid')), node('p', 'offer', offerText(offer)));
      rows.push([t('firstName'), data.firstName]);
      rows.push([t('validUntil'), data.validUntil && formatDate(data.validUntil)]);
      var minimum = typeof offer.minBasket === 'number' ? formatMoney(offer.minBasket, offer.currency) : '';
      rows.push([t('minBasket'), minimum || t('noMinBasket')]);
      el.status.append(facts(rows));
      el.redeemForm.hidden = false;
      return;
    }
    var why = refusal(data);
    el.status.append(headline('✕', why[0]), node('p', 'reason', why[1]));
    if (data.offer) el.status.append(node('p', 'offer', offerText(offer)));
    var r = data.redemption;
    if (r) {
      rows.push([t('receipt'), r.receiptRef, 'mono']);
      var basket = typeof r.basketAmount === 'number' ? formatMoney(r.basketAmount, r.currency) : '';
      rows.push([t('basket'), basket]);
    }
    rows.push([t('firstName'), data.firstName]);
    if (data.reason === 'expired' || data.reason === 'not_yet_valid') {
      rows.push([t('validFrom'), data.validFrom && formatDate(data.validFrom)]);
      rows.push([t('validUntil'), data.validUntil && formatDate(data.validUntil)]);
    }
    el.status.append(facts(rows));
  }

  function renderRedeemed(v) {
    var r = v.data.redemption || {};
    var amount = typeof r.basketAmount === 'number' ? r.basketAmount : v.basketAmount;
    var detail = t('doneDetail', {
      receipt: r.receiptRef || v.receiptRef,
      amount: formatMoney(amount, r.currency || v.currency),
      time: formatTime(r.at || v.at),
    });
    el.status.append(
      headline('✓', t('done')),
      node('p', 'offer', offerText(v.data.offer)),
      node('p', 'detail', detail),
      facts([[t('code'), v.data.code, 'mono']]),
    );
  }

  // ---- The till API ----

  /** Disables the three action buttons while a request runs; the button shows what is happening. */
  function setBusy(button, labelKey) {
    busy = !!button;
    el.check.disabled = busy || isBlocked();
    el.redeem.disabled = busy;
    el.undo.disabled = busy;
    if (button) button.textContent = t(labelKey);
    else labelButtons();
  }

  /**
   * One request with the stored key. Answers the response ({ network: true } when the network is
   * down), or null when it was handled here: no key, or the key refused (401/403).
   */
  async function request(method, url, body) {
    var key = storage.get(KEYS.key);
    if (!key) {
      showSetup();
      return null;
    }
    var headers = { Authorization: 'Bearer ' + key, Accept: 'application/json' };
    if (body) headers['Content-Type'] = 'application/json';
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    var res;
    var data = null;
    try {
      res = await fetch(url, {
        method: method,
        headers: headers,
        body: body ? JSON.stringify(body) : undefined,
        cache: 'no-store',
        credentials: 'omit',
        signal: controller.signal,
      });
      var text = await res.text();
      try {
        data = text ? JSON.parse(text) : null;
      } catch (e) {
        data = null;
      }
    } catch (e) {
      return { network: true };
    } finally {
      clearTimeout(timer);
    }
    if (res.status === 401 || res.status === 403) {
      showSetup(res.status === 401 ? 'keyRefused' : 'notStoreKey');
      return null;
    }
    return {
      status: res.status,
      data: data || {},
      date: res.headers.get('Date'),
      retryAfter: res.headers.get('Retry-After'),
      receivedAt: Date.now(),
    };
  }

  /**
   * One call to the coupon API. Answers the response, or null when it was handled here: no key,
   * network down, key refused (401/403), too many attempts (429), server error (5xx).
   */
  async function call(method, code, action, body) {
    var res = await request(method, API + encodeURIComponent(code) + (action ? '/' + action : ''), body);
    if (!res) return null;
    if (res.network) {
      message('warn', '!', 'network', 'networkDetail');
      return null;
    }
    if (res.status === 429) {
      rateLimited(res.retryAfter);
      return null;
    }
    if (res.status >= 500) {
      message('warn', '!', 'server', 'serverDetail', { status: res.status });
      return null;
    }
    return res;
  }

  function unexpected(res) {
    message('warn', '!', 'unexpected', null, { status: res.status }, serverMessage(res.data));
  }

  function unknown(code) {
    setView({ kind: 'coupon', tone: 'bad', data: { valid: false, reason: 'unknown', code: code } });
  }

  async function lookup(event) {
    event.preventDefault();
    if (busy || isBlocked()) return;
    var raw = el.code.value.trim();
    clearFieldError(el.code, el.codeError);
    if (!raw) {
      showFieldError(el.code, el.codeError, function () { return t('codeMissing'); });
      focusCode();
      return;
    }
    stopUndo();
    coupon = null;
    setView({ kind: 'busy', tone: 'busy' });
    setBusy(el.check, 'checking');
    try {
      var res = await call('GET', raw);
      if (!res) return;
      var data = res.data;
      if (res.status === 200 && typeof data.valid === 'boolean') {
        if (typeof data.code === 'string' && data.code) el.code.value = data.code;
        if (data.valid) {
          coupon = data;
          resetRedeemForm(data.offer);
        }
        setView({ kind: 'coupon', tone: data.valid ? 'ok' : 'bad', data: data });
      } else if (res.status === 404) {
        unknown(raw);
      } else if (res.status === 400) {
        message('bad', '✕', 'badCode', 'badCodeDetail');
      } else {
        unexpected(res);
      }
    } finally {
      setBusy(null);
      focusCode();
    }
  }

  function resetRedeemForm(offer) {
    el.redeemForm.reset();
    clearFieldError(el.receipt, el.receiptError);
    clearFieldError(el.basket, el.basketError);
    el.redeemError.hidden = true;
    var currency = (offer && offer.currency) || 'EUR';
    var known = Array.prototype.some.call(el.currency.options, function (o) { return o.value === currency; });
    if (!known) el.currency.append(new Option(currency, currency));
    el.currency.value = currency;
  }

  async function redeem(event) {
    event.preventDefault();
    if (busy || !coupon) return;
    clearFieldError(el.receipt, el.receiptError);
    clearFieldError(el.basket, el.basketError);
    el.redeemError.hidden = true;
    var receiptRef = el.receipt.value.trim();
    var amount = parseAmount(el.basket.value);
    if (!receiptRef) {
      showFieldError(el.receipt, el.receiptError, function () { return t('errReceipt'); });
      el.receipt.focus();
      return;
    }
    if (amount === null) {
      showFieldError(el.basket, el.basketError, function () { return t('errBasket'); });
      el.basket.focus();
      return;
    }
    var current = coupon;
    var body = {
      receiptRef: receiptRef, basketAmount: amount, currency: el.currency.value, channel: 'store',
    };
    var tillId = storage.get(KEYS.till);
    if (tillId) body.tillId = tillId;
    var stayOn = null;
    setBusy(el.redeem, 'redeeming');
    try {
      var res = await call('POST', current.code, 'redeem', body);
      if (!res) return;
      var data = res.data;
      if (res.status === 200) {
        coupon = null;
        startUndo(data, receiptRef, res);
        setView({
          kind: 'redeemed', tone: 'ok', data: data, at: new Date(),
          receiptRef: receiptRef, basketAmount: amount, currency: body.currency,
        });
      } else if (res.status === 409) {
        coupon = null;
        setView({
          kind: 'coupon', tone: 'bad',
          data: { valid: false, reason: 'already_redeemed', code: current.code, redemption: data.redemption },
        });
      } else if (res.status === 422 && data.error === 'min_basket') {
        // Nothing is lost: the staff correct the amount (or the customer adds to the basket).
        var offer = current.offer || {};
        showFieldError(el.basket, el.basketError, function () {
          if (typeof offer.minBasket !== 'number') return serverMessage(data);
          return t('errMinBasket', { amount: formatMoney(offer.minBasket, offer.currency) });
        });
        stayOn = el.basket;
      } else if (res.status === 422) {
        coupon = null;
        message('bad', '✕', 'notRedeemable', null, null, serverMessage(data));
      } else if (res.status === 400) {
        el.redeemError.textContent = t('badInput') + (serverMessage(data) ? ': ' + serverMessage(data) : '');
        el.redeemError.hidden = false;
        stayOn = el.receipt;
      } else if (res.status === 404) {
        coupon = null;
        unknown(current.code);
      } else {
        unexpected(res);
      }
    } finally {
      setBusy(null);
      if (stayOn) stayOn.focus();
      else focusCode();
    }
  }

  // ---- Undo: offered until voidableUntil, by the server's clock ----

  function startUndo(data, receiptRef, res) {
    stopUndo();
    var until = Date.parse(data.voidableUntil);
    if (isNaN(until)) return;
    // The Date header is truncated to the second: take the server as up to a second ahead, so the
    // button goes a moment early rather than fail a moment late. A wrong tablet clock changes nothing.
    var serverNow = res.date ? Date.parse(res.date) + 1000 : NaN;
    var left = until - (isNaN(serverNow) ? res.receivedAt : serverNow);
    redeemed = { code: data.code, receiptRef: receiptRef, deadline: res.receivedAt + left };
    undoTimer = setInterval(tickUndo, 1000);
  }

  function stopUndo() {
    clearInterval(undoTimer);
    undoTimer = 0;
    redeemed = null;
    el.undoBox.hidden = true;
  }

  function tickUndo() {
    if (!redeemed) return;
    var left = redeemed.deadline - Date.now();
    if (left <= 0) {
      var hadFocus = document.activeElement === el.undo;
      stopUndo();
      if (hadFocus) focusCode();
      return;
    }
    if (!busy) el.undo.textContent = t('undo', { left: formatCountdown(left) });
  }

  async function undo() {
    if (busy || !redeemed) return;
    var current = redeemed;
    setBusy(el.undo, 'undoing');
    try {
      var res = await call('POST', current.code, 'void', { receiptRef: current.receiptRef });
      if (!res) return;
      stopUndo();
      if (res.status === 200) {
        el.code.value = current.code;
        message('info', '↺', 'undone', 'undoneDetail', { code: current.code });
      } else if (res.status === 409) {
        message('bad', '✕', 'undoTooLate', 'undoTooLateDetail', null, serverMessage(res.data));
      } else {
        unexpected(res);
      }
    } finally {
      setBusy(null);
      focusCode();
    }
  }

  // ---- Too many failed look-ups: wait as long as the server says, input disabled ----

  function isBlocked() {
    return Date.now() < blockedUntil;
  }

  function rateLimited(retryAfter) {
    var seconds = Number(retryAfter);
    if (!retryAfter || !(seconds >= 0)) {
      var at = Date.parse(retryAfter || '');
      seconds = isNaN(at) ? 30 : (at - Date.now()) / 1000;
    }
    seconds = Math.max(1, Math.ceil(seconds));
    blockedUntil = Date.now() + seconds * 1000;
    coupon = null;
    message('warn', '!', 'rate', 'rateDetail', { seconds: seconds });
    el.code.disabled = true;
    el.check.disabled = true;
    clearInterval(waitTimer);
    waitTimer = setInterval(tickWait, 250);
    tickWait();
  }

  function tickWait() {
    if (isBlocked()) {
      el.check.textContent = t('wait', { seconds: Math.ceil((blockedUntil - Date.now()) / 1000) });
      return;
    }
    clearInterval(waitTimer);
    waitTimer = 0;
    el.code.disabled = false;
    el.check.disabled = busy;
    labelButtons();
    if (view.kind === 'message' && view.title === 'rate') message('info', '✓', 'rateOver');
    focusCode();
  }

  function labelButtons() {
    if (!busy) el.redeem.textContent = t('redeem');
    if (isBlocked()) tickWait();
    else if (!busy) el.check.textContent = t('check');
    tickUndo();
  }

  // ---- Signing a customer up: POST v1/signups with the store key; the shop comes from the key ----

  function openSignup() {
    el.signup.hidden = false;
    el.signupOpen.hidden = true;
    if (!signupView) el.signupLocale.value = lang;
    el.signupFirstName.focus();
  }

  function closeSignup() {
    el.signup.hidden = true;
    el.signupOpen.hidden = false;
    signupView = null;
    resetSignupForm();
    renderSignup();
    focusCode();
  }

  function resetSignupForm() {
    el.signupForm.reset();
    el.signupLocale.value = lang;
    clearFieldError(el.signupEmail, el.signupEmailError);
    clearFieldError(el.signupPhone, el.signupPhoneError);
    el.signupError.hidden = true;
  }

  function setSignupView(next) {
    signupView = next;
    renderSignup();
  }

  function renderSignup() {
    var v = signupView;
    el.signupStatus.replaceChildren();
    el.signupStatus.className = 'card ' + (v ? v.tone : 'empty');
    if (!v) return;
    el.signupStatus.append(headline(v.icon, t(v.title, v.vars)));
    v.lines.forEach(function (line) {
      el.signupStatus.append(node('p', 'detail', t(line[0], line[1])));
    });
    if (v.server) el.signupStatus.append(node('p', 'detail', v.server));
  }

  /** What the sign-up did, channel by channel, in words for the staff and the customer. */
  function signupDone(data, sent) {
    var lines = [];
    var email = { email: sent.email };
    var phone = { phone: sent.phone };
    if (sent.email) {
      if (data.email === 'pending') lines.push([data.confirmationSent ? 'signupEmailSent' : 'signupEmailWait', email]);
      else if (data.email === 'granted') lines.push(['signupEmailGranted', email]);
      else if (data.email === 'denied') lines.push(['signupEmailDenied', email]);
      else lines.push(['signupEmailNone']);
    }
    if (sent.phone && data.sms === 'granted') lines.push(['signupSmsGranted', phone]);
    else if (sent.phone && data.sms === 'denied') lines.push(['signupSmsDenied', phone]);
    var named = !!sent.firstName;
    setSignupView({
      tone: 'ok', icon: '✓', title: named ? 'signupDoneName' : 'signupDone', vars: { name: sent.firstName },
      lines: lines,
    });
  }

  function signupProblem(tone, title, detail, vars, server) {
    setSignupView({ tone: tone, icon: tone === 'bad' ? '✕' : '!', title: title, vars: vars,
      lines: detail ? [[detail, vars]] : [], server: server });
  }

  async function signup(event) {
    event.preventDefault();
    if (signupBusy) return;
    clearFieldError(el.signupEmail, el.signupEmailError);
    clearFieldError(el.signupPhone, el.signupPhoneError);
    el.signupError.hidden = true;
    var firstName = el.signupFirstName.value.trim();
    var email = el.signupEmail.value.trim();
    var phone = el.signupPhone.value.trim();
    var emailConsent = el.signupEmailConsent.checked;
    var smsConsent = el.signupSmsConsent.checked;
    var emailError = !email && !phone ? 'signupNeedAddress'
      : email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? 'signupBadEmail'
      : emailConsent && !email ? 'signupNeedEmail' : '';
    if (emailError) {
      showFieldError(el.signupEmail, el.signupEmailError, function () { return t(emailError); });
      el.signupEmail.focus();
      return;
    }
    if (smsConsent && !phone) {
      showFieldError(el.signupPhone, el.signupPhoneError, function () { return t('signupNeedPhone'); });
      el.signupPhone.focus();
      return;
    }
    var body = { emailConsent: emailConsent, smsConsent: smsConsent, locale: el.signupLocale.value };
    if (firstName) body.firstName = firstName;
    if (email) body.email = email;
    if (phone) body.phone = phone;
    signupBusy = true;
    el.signupSubmit.disabled = true;
    el.signupSubmit.textContent = t('signupSubmitting');
    setSignupView(null);
    var stayOn = null;
    try {
      var res = await request('POST', SIGNUP_API, body);
      if (!res) return;
      var data = res.data;
      if (res.network) {
        signupProblem('warn', 'network', 'networkDetail');
      } else if (res.status === 201) {
        signupDone(data, body);
        resetSignupForm();
        stayOn = el.signupFirstName;
      } else if (res.status === 400) {
        var other = [];
        (Array.isArray(data.issues) ? data.issues : []).forEach(function (issue) {
          var path = issue && String(issue.path);
          if (path === 'email') {
            showFieldError(el.signupEmail, el.signupEmailError, function () { return t('signupBadEmail'); });
            stayOn = stayOn || el.signupEmail;
          } else if (path === 'phone') {
            showFieldError(el.signupPhone, el.signupPhoneError, function () { return t('signupBadPhone'); });
            stayOn = stayOn || el.signupPhone;
          } else if (issue && typeof issue.message === 'string') {
            other.push(path + ': ' + issue.message);
          }
        });
        if (other.length || !stayOn) {
          el.signupError.textContent = t('signupRefused') + ': ' + (other.join(' ') || serverMessage(data));
          el.signupError.hidden = false;
        }
      } else if (res.status === 409) {
        signupProblem('bad', 'signupConflict', null, null, serverMessage(data));
      } else if (res.status >= 500) {
        signupProblem('warn', 'server', 'serverDetail', { status: res.status });
      } else {
        signupProblem('warn', 'unexpected', null, { status: res.status }, serverMessage(data));
      }
    } finally {
      signupBusy = false;
      el.signupSubmit.disabled = false;
      el.signupSubmit.textContent = t('signupSubmit');
      if (stayOn) stayOn.focus();
    }
  }

  // ---- The store key, kept on this device ----

  function showSetup(errorKey, noteKey) {
    var hasKey = !!storage.get(KEYS.key);
    stopUndo();
    coupon = null;
    el.desk.hidden = true;
    el.changeStore.hidden = true;
    el.setup.hidden = false;
    // data-t: the language toggle retranslates them.
    el.setupError.dataset.t = errorKey || '';
    el.setupError.textContent = errorKey ? t(errorKey) : '';
    el.setupError.hidden = !errorKey;
    el.setupNote.dataset.t = noteKey || '';
    el.setupNote.textContent = noteKey ? t(noteKey) : '';
    el.setupNote.hidden = !noteKey;
    el.cancelSetup.hidden = !hasKey || !!errorKey;
    el.forget.hidden = !hasKey;
    el.key.value = '';
    el.till.value = storage.get(KEYS.till) || '';
    clearFieldError(el.key, el.keyError);
    updateStoreTag();
    el.key.focus();
  }

  function showDesk() {
    el.setup.hidden = true;
    el.desk.hidden = false;
    el.changeStore.hidden = false;
    updateStoreTag();
    focusCode();
  }

  function updateStoreTag() {
    var key = storage.get(KEYS.key);
    var till = storage.get(KEYS.till);
    var parts = [];
    if (key) parts.push(t('keyTail', { tail: key.slice(-4) }));
    if (till) parts.push(t('tillTag', { till: till }));
    el.storeTag.textContent = parts.join(' · ');
    el.storeTag.hidden = parts.length === 0 || el.desk.hidden;
  }

  function saveSetup(event) {
    event.preventDefault();
    var key = el.key.value.trim();
    clearFieldError(el.key, el.keyError);
    if (!key) {
      showFieldError(el.key, el.keyError, function () { return t('keyMissing'); });
      el.key.focus();
      return;
    }
    storage.set(KEYS.key, key);
    var till = el.till.value.trim();
    if (till) storage.set(KEYS.till, till);
    else storage.remove(KEYS.till);
    setView({ kind: 'empty' });
    showDesk();
  }

  // ---- Language ----

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t('title');
    document.querySelectorAll('[data-t]').forEach(function (element) {
      if (element.dataset.t) element.textContent = t(element.dataset.t);
    });
    document.querySelectorAll('[data-t-label]').forEach(function (element) {
      element.setAttribute('aria-label', t(element.dataset.tLabel));
    });
    document.querySelectorAll('[data-lang]').forEach(function (button) {
      button.setAttribute('aria-pressed', button.dataset.lang === lang ? 'true' : 'false');
    });
    fieldErrors.forEach(function (text, box) { box.textContent = text(); });
    labelButtons();
    updateStoreTag();
    render();
    renderSignup();
  }

  // ---- Wiring ----

  el.setupForm.addEventListener('submit', saveSetup);
  el.cancelSetup.addEventListener('click', showDesk);
  el.forget.addEventListener('click', function () {
    storage.remove(KEYS.key);
    storage.remove(KEYS.till);
    showSetup(null, 'keyForgotten');
  });
  el.changeStore.addEventListener('click', function () { showSetup(); });
  el.codeForm.addEventListener('submit', lookup);
  el.redeemForm.addEventListener('submit', redeem);
  el.undo.addEventListener('click', undo);
  el.signupOpen.addEventListener('click', openSignup);
  el.signupClose.addEventListener('click', closeSignup);
  el.signupForm.addEventListener('submit', signup);
  el.code.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    el.code.value = '';
    clearFieldError(el.code, el.codeError);
  });
  // Enter in the receipt field (or a receipt number scanned as keys) moves on to the amount.
  el.receipt.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    el.basket.focus();
  });
  [
    [el.key, el.keyError], [el.code, el.codeError], [el.receipt, el.receiptError], [el.basket, el.basketError],
    [el.signupEmail, el.signupEmailError], [el.signupPhone, el.signupPhoneError],
  ].forEach(function (pair) {
    pair[0].addEventListener('input', function () { clearFieldError(pair[0], pair[1]); });
  });
  document.querySelectorAll('[data-lang]').forEach(function (button) {
    button.addEventListener('click', function () {
      lang = button.dataset.lang;
      storage.set(KEYS.lang, lang);
      applyLanguage();
    });
  });
  // A scanner types wherever the focus is: when nothing has it, the keys go to the code input.
  document.addEventListener('keydown', function (event) {
    var active = document.activeElement;
    if (active && active !== document.body) return;
    if (event.key.length !== 1 || event.key === ' ' || event.ctrlKey || event.metaKey || event.altKey) return;
    focusCode();
  });

  applyLanguage();
  if (storage.get(KEYS.key)) showDesk();
  else showSetup();
})();
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

/** JSON that can sit inside a script element: no `</script>`, no `<!--`. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const PAGE = `<!doctype html>
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
<script>${SCRIPT.replace('__TEXT__', () => scriptJson(TILL_TEXT))}</script>
</body>
</html>
`;

/**
 * The till page. Constant: the store key is typed once on the device and kept
 * in its localStorage, so the document itself holds no secret and can be
 * cached or served by anyone.
 */
export function tillPage(): string {
  return PAGE;
}
