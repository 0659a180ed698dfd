import type { ApiData } from './api';
import type { Lang, TextKey } from './text';

/** Values for a string's `{placeholders}`. */
export type Vars = Readonly<Record<string, unknown>>;

/** The colour of a card: valid, refused, a problem, information, waiting. */
export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'busy';

/** What the result card shows: redrawn from here when the language changes. */
export type View =
  | { kind: 'empty' }
  | { kind: 'busy'; tone: 'busy' }
  | { kind: 'coupon'; tone: Tone; data: ApiData }
  | {
      kind: 'redeemed';
      tone: 'ok';
      data: ApiData;
      at: Date;
      receiptRef: string;
      basketAmount: number;
      currency: string;
    }
  | {
      kind: 'message';
      tone: Tone;
      icon: string;
      title: TextKey;
      detail: TextKey | null | undefined;
      vars: Vars | null | undefined;
      server: string | undefined;
    };

/** The outcome of the last sign-up, shown above the form. */
export interface SignupView {
  tone: Tone;
  icon: string;
  title: TextKey;
  vars?: Vars | null | undefined;
  lines: Array<[TextKey, Vars?]>;
  server?: string | undefined;
}

/** The last redemption, while it can be undone. */
export interface Redeemed {
  code: string;
  receiptRef: string;
  /** Until when, by the tablet's clock. */
  deadline: number;
}

/** Everything the page remembers between two events. */
export const state = {
  lang: 'en' as Lang,
  view: { kind: 'empty' } as View,
  /** The valid coupon the redeem form is for. */
  coupon: null as ApiData | null,
  redeemed: null as Redeemed | null,
  /** A till API request is running. */
  busy: false,
  /** No look-up before this time (too many failed ones). */
  blockedUntil: 0,
  undoTimer: 0,
  waitTimer: 0,
  signupBusy: false,
  signupView: null as SignupView | null,
};

/** Error element -> the function giving its text in the current language. */
export const fieldErrors = new Map<HTMLElement, () => string>();
