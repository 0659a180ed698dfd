import { type ApiData, COUPONS_API, type Offer, type Reply, serverMessage } from './api';
import { clearFieldError, el, focusCode, showFieldError } from './dom';
import { formatMoney, parseAmount } from './format';
import { t } from './i18n';
import { isBlocked, message, rateLimited, setBusy, setView, startUndo, stopUndo } from './render';
import { request } from './setup';
import { state } from './state';
import { KEYS, storage } from './storage';

/** Checking a code, redeeming the coupon, undoing the redemption: the three till endpoints. */

/**
 * One call to the coupon API. Answers the response, or null when it was handled here: no key,
 * network down, key refused (401/403), too many attempts (429), server error (5xx).
 */
async function call(
  method: string,
  code: string,
  action?: 'redeem' | 'void',
  body?: Record<string, unknown>,
): Promise<Reply | null> {
  const res = await request(
    method,
    `${COUPONS_API}${encodeURIComponent(code)}${action ? `/${action}` : ''}`,
    body,
  );
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

function unexpected(res: Reply): void {
  message('warn', '!', 'unexpected', null, { status: res.status }, serverMessage(res.data));
}

function unknown(code: string): void {
  setView({ kind: 'coupon', tone: 'bad', data: { valid: false, reason: 'unknown', code } });
}

export async function lookup(event: Event): Promise<void> {
  event.preventDefault();
  if (state.busy || isBlocked()) return;
  const raw = el.code.value.trim();
  clearFieldError(el.code, el.codeError);
  if (!raw) {
    showFieldError(el.code, el.codeError, () => t('codeMissing'));
    focusCode();
    return;
  }
  stopUndo();
  state.coupon = null;
  setView({ kind: 'busy', tone: 'busy' });
  setBusy(el.check, 'checking');
  try {
    const res = await call('GET', raw);
    if (!res) return;
    const data = res.data;
    if (res.status === 200 && typeof data.valid === 'boolean') {
      if (typeof data.code === 'string' && data.code) el.code.value = data.code;
      if (data.valid) {
        state.coupon = data;
        resetRedeemForm(data.offer);
      }
      setView({ kind: 'coupon', tone: data.valid ? 'ok' : 'bad', data });
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

function resetRedeemForm(offer: Offer | undefined): void {
  el.redeemForm.reset();
  clearFieldError(el.receipt, el.receiptError);
  clearFieldError(el.basket, el.basketError);
  el.redeemError.hidden = true;
  const currency = offer?.currency || 'EUR';
  const known = Array.from(el.currency.options).some((o) => o.value === currency);
  if (!known) el.currency.append(new Option(currency, currency));
  el.currency.value = currency;
}

export async function redeem(event: Event): Promise<void> {
  event.preventDefault();
  if (state.busy || !state.coupon) return;
  clearFieldError(el.receipt, el.receiptError);
  clearFieldError(el.basket, el.basketError);
  el.redeemError.hidden = true;
  const receiptRef = el.receipt.value.trim();
  const amount = parseAmount(el.basket.value);
  if (!receiptRef) {
    showFieldError(el.receipt, el.receiptError, () => t('errReceipt'));
    el.receipt.focus();
    return;
  }
  if (amount === null) {
    showFieldError(el.basket, el.basketError, () => t('errBasket'));
    el.basket.focus();
    return;
  }
  const current: ApiData = state.coupon;
  const currency = el.currency.value;
  const body: Record<string, unknown> = { receiptRef, basketAmount: amount, currency, channel: 'store' };
  const tillId = storage.get(KEYS.till);
  if (tillId) body.tillId = tillId;
  let stayOn: HTMLElement | null = null;
  setBusy(el.redeem, 'redeeming');
  try {
    const res = await call('POST', String(current.code), 'redeem', body);
    if (!res) return;
    const data = res.data;
    if (res.status === 200) {
      state.coupon = null;
      startUndo(data, receiptRef, res);
      setView({
        kind: 'redeemed',
        tone: 'ok',
        data,
        at: new Date(),
        receiptRef,
        basketAmount: amount,
        currency,
      });
    } else if (res.status === 409) {
      state.coupon = null;
      setView({
        kind: 'coupon',
        tone: 'bad',
        data: { valid: false, reason: 'already_redeemed', code: current.code, redemption: data.redemption },
      });
    } else if (res.status === 422 && data.error === 'min_basket') {
      // Nothing is lost: the staff correct the amount (or the customer adds to the basket).
      const offer = current.offer || {};
      showFieldError(el.basket, el.basketError, () => {
        if (typeof offer.minBasket !== 'number') return serverMessage(data);
        return t('errMinBasket', { amount: formatMoney(offer.minBasket, offer.currency) });
      });
      stayOn = el.basket;
    } else if (res.status === 422) {
      state.coupon = null;
      message('bad', '✕', 'notRedeemable', null, null, serverMessage(data));
    } else if (res.status === 400) {
      el.redeemError.textContent = t('badInput') + (serverMessage(data) ? `: ${serverMessage(data)}` : '');
      el.redeemError.hidden = false;
      stayOn = el.receipt;
    } else if (res.status === 404) {
      state.coupon = null;
      unknown(String(current.code));
    } else {
      unexpected(res);
    }
  } finally {
    setBusy(null);
    if (stayOn) stayOn.focus();
    else focusCode();
  }
}

export async function undo(): Promise<void> {
  if (state.busy || !state.redeemed) return;
  const current = state.redeemed;
  setBusy(el.undo, 'undoing');
  try {
    const res = await call('POST', current.code, 'void', { receiptRef: current.receiptRef });
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
