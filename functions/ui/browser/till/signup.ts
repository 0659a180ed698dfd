import { type ApiData, issuesOf, SIGNUP_API, serverMessage } from './api';
import { clearFieldError, el, focusCode, headline, node, showFieldError } from './dom';
import { t } from './i18n';
import { request } from './setup';
import { type SignupView, state, type Tone, type Vars } from './state';
import type { TextKey } from './text';

/** Signing a customer up: POST v1/signups with the store key; the shop comes from the key. */

/** What the page sends. */
type SignupBody = {
  emailConsent: boolean;
  smsConsent: boolean;
  locale: string;
  firstName?: string;
  email?: string;
  phone?: string;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function openSignup(): void {
  el.signup.hidden = false;
  el.signupOpen.hidden = true;
  if (!state.signupView) el.signupLocale.value = state.lang;
  el.signupFirstName.focus();
}

export function closeSignup(): void {
  el.signup.hidden = true;
  el.signupOpen.hidden = false;
  state.signupView = null;
  resetSignupForm();
  renderSignup();
  focusCode();
}

function resetSignupForm(): void {
  el.signupForm.reset();
  el.signupLocale.value = state.lang;
  clearFieldError(el.signupEmail, el.signupEmailError);
  clearFieldError(el.signupPhone, el.signupPhoneError);
  el.signupError.hidden = true;
}

function setSignupView(next: SignupView | null): void {
  state.signupView = next;
  renderSignup();
}

export function renderSignup(): void {
  const v = state.signupView;
  el.signupStatus.replaceChildren();
  el.signupStatus.className = `card ${v ? v.tone : 'empty'}`;
  if (!v) return;
  el.signupStatus.append(headline(v.icon, t(v.title, v.vars)));
  for (const line of v.lines) el.signupStatus.append(node('p', 'detail', t(line[0], line[1])));
  if (v.server) el.signupStatus.append(node('p', 'detail', v.server));
}

/** What the sign-up did, channel by channel, in words for the staff and the customer. */
function signupDone(data: ApiData, sent: SignupBody): void {
  const lines: SignupView['lines'] = [];
  const email = { email: sent.email };
  const phone = { phone: sent.phone };
  // The answer is the same whether or not the customer was on file: the till says what happens next.
  if (sent.email)
    lines.push(data.email === 'confirmation_requested' ? ['signupEmailAsked', email] : ['signupEmailNone']);
  if (sent.phone && data.sms === 'granted') lines.push(['signupSmsGranted', phone]);
  const named = !!sent.firstName;
  setSignupView({
    tone: 'ok',
    icon: '✓',
    title: named ? 'signupDoneName' : 'signupDone',
    vars: { name: sent.firstName },
    lines,
  });
}

function signupProblem(
  tone: Tone,
  title: TextKey,
  detail: TextKey | null,
  vars?: Vars | null,
  server?: string,
): void {
  setSignupView({
    tone,
    icon: tone === 'bad' ? '✕' : '!',
    title,
    vars,
    lines: detail ? [[detail, vars ?? undefined]] : [],
    server,
  });
}

function emailProblem(email: string, phone: string, emailConsent: boolean): TextKey | '' {
  if (!email && !phone) return 'signupNeedAddress';
  if (email && !EMAIL.test(email)) return 'signupBadEmail';
  if (emailConsent && !email) return 'signupNeedEmail';
  return '';
}

export async function signup(event: Event): Promise<void> {
  event.preventDefault();
  if (state.signupBusy) return;
  clearFieldError(el.signupEmail, el.signupEmailError);
  clearFieldError(el.signupPhone, el.signupPhoneError);
  el.signupError.hidden = true;
  const firstName = el.signupFirstName.value.trim();
  const email = el.signupEmail.value.trim();
  const phone = el.signupPhone.value.trim();
  const emailConsent = el.signupEmailConsent.checked;
  const smsConsent = el.signupSmsConsent.checked;
  const emailError = emailProblem(email, phone, emailConsent);
  if (emailError) {
    showFieldError(el.signupEmail, el.signupEmailError, () => t(emailError));
    el.signupEmail.focus();
    return;
  }
  if (smsConsent && !phone) {
    showFieldError(el.signupPhone, el.signupPhoneError, () => t('signupNeedPhone'));
    el.signupPhone.focus();
    return;
  }
  const body: SignupBody = { emailConsent, smsConsent, locale: el.signupLocale.value };
  if (firstName) body.firstName = firstName;
  if (email) body.email = email;
  if (phone) body.phone = phone;
  state.signupBusy = true;
  el.signupSubmit.disabled = true;
  el.signupSubmit.textContent = t('signupSubmitting');
  setSignupView(null);
  let stayOn: HTMLElement | null = null;
  try {
    const res = await request('POST', SIGNUP_API, body);
    if (!res) return;
    if (res.network) {
      signupProblem('warn', 'network', 'networkDetail');
      return;
    }
    const data = res.data;
    if (res.status === 202) {
      signupDone(data, body);
      resetSignupForm();
      stayOn = el.signupFirstName;
    } else if (res.status === 400) {
      const other: string[] = [];
      for (const issue of issuesOf(data)) {
        const path = issue && String(issue.path);
        if (path === 'email') {
          showFieldError(el.signupEmail, el.signupEmailError, () => t('signupBadEmail'));
          stayOn = stayOn || el.signupEmail;
        } else if (path === 'phone') {
          showFieldError(el.signupPhone, el.signupPhoneError, () => t('signupBadPhone'));
          stayOn = stayOn || el.signupPhone;
        } else if (issue && typeof issue.message === 'string') {
          other.push(`${path}: ${issue.message}`);
        }
      }
      if (other.length || !stayOn) {
        el.signupError.textContent = `${t('signupRefused')}: ${other.join(' ') || serverMessage(data)}`;
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
    state.signupBusy = false;
    el.signupSubmit.disabled = false;
    el.signupSubmit.textContent = t('signupSubmit');
    if (stayOn) stayOn.focus();
  }
}
