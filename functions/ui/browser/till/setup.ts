import { type Answer, fetchApi } from './api';
import { clearFieldError, el, focusCode, showFieldError } from './dom';
import { t } from './i18n';
import { setView, stopUndo } from './render';
import { state } from './state';
import { KEYS, storage } from './storage';
import type { TextKey } from './text';

/** The store key, typed once and kept on this device, and the screen that asks for it. */

export function showSetup(errorKey?: TextKey | null, noteKey?: TextKey | null): void {
  const hasKey = !!storage.get(KEYS.key);
  stopUndo();
  state.coupon = null;
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

export function showDesk(): void {
  el.setup.hidden = true;
  el.desk.hidden = false;
  el.changeStore.hidden = false;
  updateStoreTag();
  focusCode();
}

export function updateStoreTag(): void {
  const key = storage.get(KEYS.key);
  const till = storage.get(KEYS.till);
  const parts: string[] = [];
  if (key) parts.push(t('keyTail', { tail: key.slice(-4) }));
  if (till) parts.push(t('tillTag', { till }));
  el.storeTag.textContent = parts.join(' · ');
  el.storeTag.hidden = parts.length === 0 || el.desk.hidden;
}

export function saveSetup(event: Event): void {
  event.preventDefault();
  const key = el.key.value.trim();
  clearFieldError(el.key, el.keyError);
  if (!key) {
    showFieldError(el.key, el.keyError, () => t('keyMissing'));
    el.key.focus();
    return;
  }
  storage.set(KEYS.key, key);
  const till = el.till.value.trim();
  if (till) storage.set(KEYS.till, till);
  else storage.remove(KEYS.till);
  setView({ kind: 'empty' });
  showDesk();
}

export function forgetKey(): void {
  storage.remove(KEYS.key);
  storage.remove(KEYS.till);
  showSetup(null, 'keyForgotten');
}

/**
 * One request with the stored key. Answers the response ({ network: true } when the network is
 * down), or null when it was handled here: no key, or the key refused (401/403).
 */
export async function request(
  method: string,
  url: string,
  body?: Record<string, unknown>,
): Promise<Answer | null> {
  const key = storage.get(KEYS.key);
  if (!key) {
    showSetup();
    return null;
  }
  const res = await fetchApi(method, url, key, body);
  if (!res.network && (res.status === 401 || res.status === 403)) {
    showSetup(res.status === 401 ? 'keyRefused' : 'notStoreKey');
    return null;
  }
  return res;
}
