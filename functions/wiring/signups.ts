import type { AppDeps } from '../deps';
import { optinSender, type SignupDeps } from '../domain/signups/signup';
import { renderOptinEmail } from '../ui/emails/optin';
import { contactDeps } from './contacts';
import { pick } from './pick';

// Sign-ups

export const signupDeps = (app: AppDeps): SignupDeps => ({
  ...contactDeps(app),
  ...pick(app, 'messenger', 'keyring', 'company'),
  sender: optinSender(app.config),
  renderOptinEmail,
});
