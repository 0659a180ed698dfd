/** What the confirmation email of a shop sign-up says; the UI renders it (functions/ui/emails). */
export interface OptinEmailView {
  /** The contact's own locale, if any: the renderer picks French or English from it. */
  locale: string | undefined;
  firstName?: string | undefined;
  storeName?: string | undefined;
  company: { name: string; address: string };
  url: string;
  validDays: number;
}

/** Builds the double opt-in email (subject, HTML and text) from its view model. */
export type OptinEmailRenderer = (view: OptinEmailView) => { subject: string; html: string; text: string };
