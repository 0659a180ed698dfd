import type { ApiData, Reply } from './api';
import { el, type Fact, facts, focusCode, headline, node } from './dom';
import { formatCountdown, formatDate, formatMoney, formatTime, isDate, offerText } from './format';
import { t } from './i18n';
import { state, type Tone, type Vars, type View } from './state';
import type { TextKey } from './text';

/**
 * The result card (one view at a time, redrawn from `state.view`), the undo button's countdown,
 * the wait after too many failed look-ups, and the labels of the action buttons.
 */

const REASONS = ['unknown', 'expired', 'not_yet_valid', 'wrong_store', 'already_redeemed', 'voided'] as const;
type Reason = (typeof REASONS)[number] | 'other';

export function setView(next: View): void {
  state.view = next;
  render();
}

export function message(
  tone: Tone,
  icon: string,
  title: TextKey,
  detail?: TextKey | null,
  vars?: Vars | null,
  server?: string,
): void {
  setView({ kind: 'message', tone, icon, title, detail, vars, server });
}

export function render(): void {
  const v = state.view;
  el.status.replaceChildren();
  el.redeemForm.hidden = true;
  el.undoBox.hidden = true;
  el.card.className = `card ${v.kind === 'empty' ? 'empty' : v.tone}`;
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
  if (state.redeemed && state.redeemed.deadline > Date.now()) {
    el.undoBox.hidden = false;
    el.undoUntil.textContent = t('undoUntil', { time: formatTime(new Date(state.redeemed.deadline)) });
    tickUndo();
  }
}

/** Why a coupon is refused, in plain words: [title, sentence]. */
function refusal(data: ApiData): [string, string] {
  const reason: Reason =
    (REASONS as readonly string[]).indexOf(data.reason ?? '') >= 0 ? (data.reason as Reason) : 'other';
  const title = t(`reason_${reason}_title`);
  const r = data.redemption;
  if (reason === 'already_redeemed') {
    if (!r || !isDate(r.at)) return [title, t('reason_already_redeemed_plain')];
    const where = { date: formatDate(r.at), time: formatTime(r.at), store: r.storeId || '?' };
    return [title, t('reason_already_redeemed', where)];
  }
  const date = formatDate(reason === 'expired' ? data.validUntil : data.validFrom);
  return [title, t(`reason_${reason}`, { date })];
}

function renderCoupon(data: ApiData): void {
  const offer = data.offer || {};
  const rows: Fact[] = [[t('code'), data.code, 'mono']];
  if (data.valid) {
    el.status.append(headline('✓', t('valid')), node('p', 'offer', offerText(offer)));
    rows.push([t('firstName'), data.firstName]);
    rows.push([t('validUntil'), data.validUntil && formatDate(data.validUntil)]);
    const minimum = typeof offer.minBasket === 'number' ? formatMoney(offer.minBasket, offer.currency) : '';
    rows.push([t('minBasket'), minimum || t('noMinBasket')]);
    el.status.append(facts(rows));
    el.redeemForm.hidden = false;
    return;
  }
  const why = refusal(data);
  el.status.append(headline('✕', why[0]), node('p', 'reason', why[1]));
  if (data.offer) el.status.append(node('p', 'offer', offerText(offer)));
  const r = data.redemption;
  if (r) {
    rows.push([t('receipt'), r.receiptRef, 'mono']);
    const basket = typeof r.basketAmount === 'number' ? formatMoney(r.basketAmount, r.currency) : '';
    rows.push([t('basket'), basket]);
  }
  rows.push([t('firstName'), data.firstName]);
  if (data.reason === 'expired' || data.reason === 'not_yet_valid') {
    rows.push([t('validFrom'), data.validFrom && formatDate(data.validFrom)]);
    rows.push([t('validUntil'), data.validUntil && formatDate(data.validUntil)]);
  }
  el.status.append(facts(rows));
}

function renderRedeemed(v: Extract<View, { kind: 'redeemed' }>): void {
  const r = v.data.redemption || {};
  const amount = typeof r.basketAmount === 'number' ? r.basketAmount : v.basketAmount;
  const detail = t('doneDetail', {
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

// ---- The action buttons ----

/** Disables the three action buttons while a request runs; the button shows what is happening. */
export function setBusy(button: HTMLButtonElement | null, labelKey?: TextKey): void {
  state.busy = !!button;
  el.check.disabled = state.busy || isBlocked();
  el.redeem.disabled = state.busy;
  el.undo.disabled = state.busy;
  if (button && labelKey) button.textContent = t(labelKey);
  else labelButtons();
}

export function labelButtons(): void {
  if (!state.busy) el.redeem.textContent = t('redeem');
  if (isBlocked()) tickWait();
  else if (!state.busy) el.check.textContent = t('check');
  tickUndo();
}

// ---- Undo: offered until voidableUntil, by the server's clock ----

export function startUndo(data: ApiData, receiptRef: string, res: Reply): void {
  stopUndo();
  const until = Date.parse(data.voidableUntil ?? '');
  if (Number.isNaN(until)) return;
  // The Date header is truncated to the second: take the server as up to a second ahead, so the
  // button goes a moment early rather than fail a moment late. A wrong tablet clock changes nothing.
  const serverNow = res.date ? Date.parse(res.date) + 1000 : Number.NaN;
  const left = until - (Number.isNaN(serverNow) ? res.receivedAt : serverNow);
  state.redeemed = { code: String(data.code), receiptRef, deadline: res.receivedAt + left };
  state.undoTimer = setInterval(tickUndo, 1000);
}

export function stopUndo(): void {
  clearInterval(state.undoTimer);
  state.undoTimer = 0;
  state.redeemed = null;
  el.undoBox.hidden = true;
}

function tickUndo(): void {
  if (!state.redeemed) return;
  const left = state.redeemed.deadline - Date.now();
  if (left <= 0) {
    const hadFocus = document.activeElement === el.undo;
    stopUndo();
    if (hadFocus) focusCode();
    return;
  }
  if (!state.busy) el.undo.textContent = t('undo', { left: formatCountdown(left) });
}

// ---- Too many failed look-ups: wait as long as the server says, input disabled ----

export function isBlocked(): boolean {
  return Date.now() < state.blockedUntil;
}

export function rateLimited(retryAfter: string | null): void {
  let seconds = Number(retryAfter);
  if (!retryAfter || !(seconds >= 0)) {
    const at = Date.parse(retryAfter || '');
    seconds = Number.isNaN(at) ? 30 : (at - Date.now()) / 1000;
  }
  seconds = Math.max(1, Math.ceil(seconds));
  state.blockedUntil = Date.now() + seconds * 1000;
  state.coupon = null;
  message('warn', '!', 'rate', 'rateDetail', { seconds });
  el.code.disabled = true;
  el.check.disabled = true;
  clearInterval(state.waitTimer);
  state.waitTimer = setInterval(tickWait, 250);
  tickWait();
}

function tickWait(): void {
  if (isBlocked()) {
    el.check.textContent = t('wait', { seconds: Math.ceil((state.blockedUntil - Date.now()) / 1000) });
    return;
  }
  clearInterval(state.waitTimer);
  state.waitTimer = 0;
  el.code.disabled = false;
  el.check.disabled = state.busy;
  labelButtons();
  if (state.view.kind === 'message' && state.view.title === 'rate') message('info', '✓', 'rateOver');
  focusCode();
}
