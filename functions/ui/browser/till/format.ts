import type { Offer } from './api';
import { t } from './i18n';

/** Dates, times and amounts, in the tablet's time zone (the shop's) and the page's language. */

type DateInput = string | number | Date;

function toDate(iso: DateInput | undefined): Date | null {
  const date = new Date(iso ?? Number.NaN);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Whether `iso` is a date at all. */
export const isDate = (iso: DateInput | undefined): boolean => toDate(iso) !== null;

/** "12 March", with the year when it is not this one. */
export function formatDate(iso: DateInput | undefined): string {
  const date = toDate(iso);
  if (!date) return String(iso);
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long' };
  if (date.getFullYear() !== new Date().getFullYear()) options.year = 'numeric';
  return date.toLocaleDateString(t('tag'), options);
}

export function formatTime(iso: DateInput | undefined): string {
  const date = toDate(iso);
  return date ? date.toLocaleTimeString(t('tag'), { hour: '2-digit', minute: '2-digit' }) : String(iso);
}

export function formatMoney(value: number | undefined, currency?: string): string {
  try {
    const options: Intl.NumberFormatOptions = { style: 'currency', currency: currency || 'EUR' };
    // A missing value shows as NaN, as Intl does.
    return new Intl.NumberFormat(t('tag'), options).format(value as number);
  } catch {
    return `${String(value)} ${String(currency || '')}`;
  }
}

/** "4:05": minutes and seconds left. */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)}:${rest < 10 ? '0' : ''}${rest}`;
}

/** The offer in words: its own text, else "-20 %", "-€10.00" or "Gift". */
export function offerText(offer: Offer | undefined): string {
  if (!offer) return '';
  if (typeof offer.text === 'string' && offer.text) return offer.text;
  if (offer.kind === 'percent') return `-${offer.value} %`;
  if (offer.kind === 'amount') return `-${formatMoney(offer.value, offer.currency)}`;
  return t('gift');
}

/** "42,50", "42.5", "1 200,00 €" -> a number; anything else -> null. */
export function parseAmount(raw: string): number | null {
  const cleaned = String(raw)
    .replace(/[\s\u00a0\u202f€]/g, '')
    .replace(',', '.');
  return /^\d+(\.\d{1,2})?$/.test(cleaned) ? Number(cleaned) : null;
}
