import { fieldErrors } from './state';

/**
 * The page's elements, and the helpers that write into it: text only, never HTML (everything
 * the API returns goes through `textContent`).
 */

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

export const el = {
  setup: byId('setup'),
  setupForm: byId<HTMLFormElement>('setup-form'),
  setupError: byId('setup-error'),
  setupNote: byId('setup-note'),
  key: byId<HTMLInputElement>('key'),
  keyError: byId('key-error'),
  till: byId<HTMLInputElement>('till'),
  cancelSetup: byId<HTMLButtonElement>('cancel-setup'),
  forget: byId<HTMLButtonElement>('forget'),
  desk: byId('desk'),
  codeForm: byId<HTMLFormElement>('code-form'),
  code: byId<HTMLInputElement>('code'),
  codeError: byId('code-error'),
  check: byId<HTMLButtonElement>('check'),
  card: byId('card'),
  status: byId('status'),
  redeemForm: byId<HTMLFormElement>('redeem-form'),
  receipt: byId<HTMLInputElement>('receipt'),
  receiptError: byId('receipt-error'),
  basket: byId<HTMLInputElement>('basket'),
  basketError: byId('basket-error'),
  currency: byId<HTMLSelectElement>('currency'),
  redeem: byId<HTMLButtonElement>('redeem'),
  redeemError: byId('redeem-error'),
  undoBox: byId('undo-box'),
  undoUntil: byId('undo-until'),
  undo: byId<HTMLButtonElement>('undo'),
  storeTag: byId('store-tag'),
  changeStore: byId<HTMLButtonElement>('change-store'),
  signupOpen: byId<HTMLButtonElement>('signup-open'),
  signup: byId('signup'),
  signupForm: byId<HTMLFormElement>('signup-form'),
  signupFirstName: byId<HTMLInputElement>('signup-first-name'),
  signupLocale: byId<HTMLSelectElement>('signup-locale'),
  signupEmail: byId<HTMLInputElement>('signup-email'),
  signupEmailError: byId('signup-email-error'),
  signupPhone: byId<HTMLInputElement>('signup-phone'),
  signupPhoneError: byId('signup-phone-error'),
  signupEmailConsent: byId<HTMLInputElement>('signup-email-consent'),
  signupSmsConsent: byId<HTMLInputElement>('signup-sms-consent'),
  signupError: byId('signup-error'),
  signupSubmit: byId<HTMLButtonElement>('signup-submit'),
  signupClose: byId<HTMLButtonElement>('signup-close'),
  signupStatus: byId('signup-status'),
};

/** A new element, with a class and a text. */
export function node<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: unknown,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

/** The big line of a card: an icon in a disc, then the text. */
export function headline(icon: string, text: string): HTMLParagraphElement {
  const line = node('p', 'headline');
  const mark = node('span', 'icon', icon);
  mark.setAttribute('aria-hidden', 'true');
  line.append(mark, node('span', '', text));
  return line;
}

/** A row of facts: label, value, class of the value. */
export type Fact = [label: string, value: unknown, className?: string];

/** Rows of [label, value, class]; empty values are left out. */
export function facts(rows: Fact[]): HTMLDListElement {
  const list = node('dl', 'facts');
  for (const row of rows) {
    const value = row[1];
    if (value === undefined || value === null || value === '') continue;
    const item = node('div');
    item.append(node('dt', '', row[0]), node('dd', row[2] || '', value));
    list.append(item);
  }
  return list;
}

/** Marks `input` invalid and shows why in `box`; `text` gives it again when the language changes. */
export function showFieldError(input: HTMLElement, box: HTMLElement, text: () => string): void {
  input.setAttribute('aria-invalid', 'true');
  fieldErrors.set(box, text);
  box.textContent = text();
  box.hidden = false;
}

export function clearFieldError(input: HTMLElement, box: HTMLElement): void {
  input.removeAttribute('aria-invalid');
  fieldErrors.delete(box);
  box.textContent = '';
  box.hidden = true;
}

/** Back to the code input, its text selected: the next scan replaces the last code. */
export function focusCode(): void {
  if (el.desk.hidden || el.code.disabled) return;
  el.code.focus();
  el.code.select();
}
