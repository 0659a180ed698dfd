import { lookup, redeem, undo } from './coupons';
import { clearFieldError, el, focusCode } from './dom';
import { pickLanguage, t } from './i18n';
import { labelButtons, render } from './render';
import { forgetKey, saveSetup, showDesk, showSetup, updateStoreTag } from './setup';
import { closeSignup, openSignup, renderSignup, signup } from './signup';
import { fieldErrors, state } from './state';
import { KEYS, storage } from './storage';
import type { Lang, TextKey } from './text';

/**
 * The till page's behaviour (`GET /till` serves the markup, `GET /assets/till-<hash>.js` this
 * script, bundled by infra/browser-assets.ts): it runs at the end of the body, so every element
 * it needs exists. It asks for the store key once, then checks, redeems and undoes coupons and
 * signs customers up, in English or in French.
 */

/** Writes every string of the page in the current language. */
function applyLanguage(): void {
  document.documentElement.lang = state.lang;
  document.title = t('title');
  for (const element of document.querySelectorAll<HTMLElement>('[data-t]')) {
    if (element.dataset.t) element.textContent = t(element.dataset.t as TextKey);
  }
  for (const element of document.querySelectorAll<HTMLElement>('[data-t-label]')) {
    element.setAttribute('aria-label', t(element.dataset.tLabel as TextKey));
  }
  for (const button of document.querySelectorAll<HTMLElement>('[data-lang]')) {
    button.setAttribute('aria-pressed', button.dataset.lang === state.lang ? 'true' : 'false');
  }
  fieldErrors.forEach((text, box) => {
    box.textContent = text();
  });
  labelButtons();
  updateStoreTag();
  render();
  renderSignup();
}

state.lang = pickLanguage();

el.setupForm.addEventListener('submit', saveSetup);
el.cancelSetup.addEventListener('click', showDesk);
el.forget.addEventListener('click', forgetKey);
el.changeStore.addEventListener('click', () => showSetup());
el.codeForm.addEventListener('submit', lookup);
el.redeemForm.addEventListener('submit', redeem);
el.undo.addEventListener('click', undo);
el.signupOpen.addEventListener('click', openSignup);
el.signupClose.addEventListener('click', closeSignup);
el.signupForm.addEventListener('submit', signup);
el.code.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  el.code.value = '';
  clearFieldError(el.code, el.codeError);
});
// Enter in the receipt field (or a receipt number scanned as keys) moves on to the amount.
el.receipt.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return;
  event.preventDefault();
  el.basket.focus();
});
const fields: Array<[HTMLInputElement, HTMLElement]> = [
  [el.key, el.keyError],
  [el.code, el.codeError],
  [el.receipt, el.receiptError],
  [el.basket, el.basketError],
  [el.signupEmail, el.signupEmailError],
  [el.signupPhone, el.signupPhoneError],
];
for (const pair of fields) pair[0].addEventListener('input', () => clearFieldError(pair[0], pair[1]));
for (const button of document.querySelectorAll<HTMLElement>('[data-lang]')) {
  button.addEventListener('click', () => {
    state.lang = button.dataset.lang as Lang;
    storage.set(KEYS.lang, state.lang);
    applyLanguage();
  });
}
// A scanner types wherever the focus is: when nothing has it, the keys go to the code input.
document.addEventListener('keydown', (event) => {
  const active = document.activeElement;
  if (active && active !== document.body) return;
  if (event.key.length !== 1 || event.key === ' ' || event.ctrlKey || event.metaKey || event.altKey) return;
  focusCode();
});

applyLanguage();
if (storage.get(KEYS.key)) showDesk();
else showSetup();
