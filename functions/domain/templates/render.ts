import { Liquid, type LiquidOptions, type Template } from 'liquidjs';
import { inertText } from '../shared/inert-text';
import type { Store } from '../stores/store';
import type { CompiledEmail } from './types';

export type { CompiledEmail } from './types';

/**
 * The Liquid options every template is parsed and rendered with. compile.ts parses with the same
 * options, so a template that compiles when the campaign is created cannot fail to parse in the
 * sender. Filters are strict (a typo in a filter name is a compile error, not a silent no-op);
 * variables are lenient (a missing first name renders empty, and templates say `| default:`);
 * JavaScript truthiness makes an empty string falsy, so `{% if contact.firstName %}` does what a
 * marketer expects; `templates: {}` gives `include`/`render`/`layout` an empty in-memory file
 * system, so no template can read a file of the Lambda; the render limit bounds a runaway loop.
 */
export const liquidOptions: Readonly<LiquidOptions> = Object.freeze({
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
  jsTruthy: true,
  templates: {},
  renderLimit: 2_000,
});

/** HTML part: every `{{ output }}` is escaped, so a first name like `<script>` stays text. */
const htmlEngine = new Liquid({ ...liquidOptions, outputEscape: 'escape' });
/** Subject, preheader and text part: plain text, where escaping would show `&amp;` to the reader. */
const textEngine = new Liquid({ ...liquidOptions });

/** The opening hours and address of a shop, ready to print in a template. */
export interface StoreVars {
  id: string;
  name: string;
  address: string;
  postcode: string;
  city: string;
  /** ISO 3166-1 alpha-2 code, as stored ("FR"). */
  country: string;
  /** A map search for the shop's address (OpenStreetMap: no Google dependency, no API key). */
  mapUrl: string;
  /** One human line per open day, in week order, localised: "Mardi : 10:00–19:30". */
  openingHours: string[];
}

/** A recipient's fields as templates see them: what they typed made inert, the rest as it is. */
export function contactVars(contact: {
  id: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  email?: string | undefined;
  locale?: string | undefined;
}): MessageVars['contact'] {
  return {
    id: contact.id,
    ...(contact.firstName ? { firstName: inertText(contact.firstName) } : {}),
    ...(contact.lastName ? { lastName: inertText(contact.lastName) } : {}),
    ...(contact.email ? { email: contact.email } : {}),
    ...(contact.locale ? { locale: contact.locale } : {}),
  };
}

/**
 * Everything a template may use for one recipient. It is the contract between templates and the
 * sender: a variable not listed here renders empty.
 */
export interface MessageVars {
  contact: { id: string; firstName?: string; lastName?: string; email?: string; locale?: string };
  store?: StoreVars;
  unsubscribeUrl: string;
  viewInBrowserUrl: string;
  /** The sender's identity and postal address, which commercial email must show. */
  company: { name: string; address: string };
  campaign: { id: string; name: string };
  coupon?: {
    code: string;
    offer: string;
    validUntil: string;
    barcodeUrl: string;
    qrUrl: string;
    printUrl: string;
  };
  event?: { title?: string; date?: string; description?: string };
}

/**
 * A compiled email whose four Liquid templates are parsed. Parsing is the expensive half of
 * Liquid, so the sender prepares once per campaign (and caches it) and only renders per recipient.
 */
export interface PreparedEmail {
  readonly subject: Template[];
  readonly preheader: Template[];
  readonly html: Template[];
  readonly text: Template[];
}

/** The parts of one message, ready to hand to the mail provider. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Parses a compiled email once, so that rendering it per recipient costs no parsing. */
export function prepareEmail(compiled: CompiledEmail): PreparedEmail {
  return {
    subject: textEngine.parse(compiled.subject),
    preheader: textEngine.parse(compiled.preheader),
    html: htmlEngine.parse(compiled.html),
    text: textEngine.parse(compiled.text),
  };
}

/** A header value: one line, whatever the data held (a newline in a name must not reach a header). */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Conditional blocks that render nothing leave blank lines behind in the text part. */
const tidyText = (s: string) =>
  s
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/**
 * The variables that are the same for every recipient of a campaign who shares a shop and a
 * language. A top-level piece of a template that reads nothing else renders the same for all of
 * them, so it is rendered once (see `specialiseEmail`).
 */
const SHARED_ROOTS = new Set(['store', 'company', 'campaign', 'event']);

/** A prepared email with its recipient-independent pieces already rendered. */
export interface SpecialisedEmail {
  readonly subject: Template[];
  readonly preheader: Template[];
  readonly html: Template[];
  readonly text: Template[];
}

/** A template piece that writes text rendered in advance. */
function rendered(token: Template['token'], str: string): Template {
  return {
    token,
    render: (_ctx: unknown, emitter: { write(s: string): void }) => emitter.write(str),
  } as Template;
}

function specialisePart(engine: Liquid, templates: Template[], shared: Record<string, unknown>): Template[] {
  const out: Template[] = [];
  let pending = '';
  let pendingToken: Template['token'] | undefined;
  const flush = () => {
    if (pendingToken && pending) out.push(rendered(pendingToken, pending));
    pending = '';
    pendingToken = undefined;
  };
  for (const tpl of templates) {
    const analysis = engine.analyzeSync([tpl]);
    const isShared =
      Object.keys(analysis.locals).length === 0 &&
      Object.keys(analysis.globals).every((g) => SHARED_ROOTS.has(g));
    if (isShared) {
      pending += String(engine.renderSync([tpl], shared));
      pendingToken ??= tpl.token;
    } else {
      flush();
      out.push(tpl);
    }
  }
  flush();
  return out;
}

/**
 * Renders, once per campaign, shop and language, every top-level piece of the templates that only
 * reads shared variables (shop, company, campaign, event), and keeps the rest — the greeting, the
 * links, the coupon — for `renderSpecialised`. Pieces that assign variables stay live, so the
 * output is exactly what rendering the whole template would give; the sender's per-recipient work
 * shrinks to the few pieces that differ.
 */
export function specialiseEmail(
  prepared: PreparedEmail,
  vars: Pick<MessageVars, 'store' | 'company' | 'campaign' | 'event'>,
): SpecialisedEmail {
  const shared = { store: vars.store, company: vars.company, campaign: vars.campaign, event: vars.event };
  return {
    subject: specialisePart(textEngine, prepared.subject, shared),
    preheader: specialisePart(textEngine, prepared.preheader, shared),
    html: specialisePart(htmlEngine, prepared.html, shared),
    text: specialisePart(textEngine, prepared.text, shared),
  };
}

/**
 * Renders one recipient's message from a specialised email: this is the sender's hot loop. The
 * rendered subject and preheader are also exposed to the HTML and text parts as `{{ subject }}`
 * and `{{ preheader }}` (mj-title, mj-preview).
 */
export function renderSpecialised(spec: SpecialisedEmail, vars: MessageVars): RenderedEmail {
  const subject = oneLine(String(textEngine.renderSync(spec.subject, vars)));
  const preheader = oneLine(String(textEngine.renderSync(spec.preheader, vars)));
  const scope = { ...vars, subject, preheader };
  return {
    subject,
    html: String(htmlEngine.renderSync(spec.html, scope)),
    text: tidyText(String(textEngine.renderSync(spec.text, scope))),
  };
}

/** Renders one recipient's message (previews, the view-in-browser page); the sender caches the specialised form. */
export async function renderEmail(prepared: PreparedEmail, vars: MessageVars): Promise<RenderedEmail> {
  return renderSpecialised(specialiseEmail(prepared, vars), vars);
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Weekday names per locale, Monday first, capitalised (French names are lower-case in Intl). */
const dayNamesCache = new Map<string, string[]>();

/** A BCP 47 tag Intl accepts; anything it refuses falls back to English rather than failing a send. */
function intlLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

function dayNames(locale: string): string[] {
  let names = dayNamesCache.get(locale);
  if (!names) {
    const format = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });
    // 2024-01-01 was a Monday.
    names = DAYS.map((_, i) => {
      const name = format.format(Date.UTC(2024, 0, 1 + i));
      return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
    });
    dayNamesCache.set(locale, names);
  }
  return names;
}

/**
 * Builds the shop block of a template from a stored shop, in the recipient's language: opening
 * hours as printable lines (closed days left out, French typography for French) and a map link
 * that needs no API key. Computed per shop and locale, not per recipient.
 */
export function storeVars(store: Store, locale: string): StoreVars {
  const tag = intlLocale(locale);
  const names = dayNames(tag);
  const french = tag.toLowerCase().startsWith('fr');
  const separator = french ? ' : ' : ': ';
  const openingHours = DAYS.flatMap((day, i) => {
    const ranges = store.openingHours?.[day];
    if (!ranges || ranges.length === 0) return [];
    return [`${names[i]}${separator}${ranges.map((r) => r.replace('-', '–')).join(', ')}`];
  });
  let countryName = store.country;
  try {
    countryName = new Intl.DisplayNames([tag], { type: 'region' }).of(store.country) ?? store.country;
  } catch {
    // An unknown region code keeps the code itself; the map search still finds the street.
  }
  const query = `${store.address}, ${store.postcode} ${store.city}, ${countryName}`;
  return {
    id: store.id,
    name: store.name,
    address: store.address,
    postcode: store.postcode,
    city: store.city,
    country: store.country,
    mapUrl: `https://www.openstreetmap.org/search?query=${encodeURIComponent(query)}`,
    openingHours,
  };
}
