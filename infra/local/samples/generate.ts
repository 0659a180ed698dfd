/**
 * Deterministic sample customers for demos and benchmarks: the same seed
 * always gives the same people, stores, consents and purchase histories.
 */

const FIRST = [
  'Camille',
  'Léa',
  'Manon',
  'Chloé',
  'Inès',
  'Jade',
  'Louise',
  'Hugo',
  'Lucas',
  'Louis',
  'Gabriel',
  'Arthur',
  'Jules',
  'Adam',
  'Nathan',
  'Emma',
  'Alice',
  'Zoé',
  'Paul',
  'Sacha',
];
const LAST = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefebvre',
  'Michel',
  'Garcia',
  'David',
  'Bertrand',
  'Roux',
  'Vincent',
  'Fournier',
];
const TAGS = ['newsletter', 'vip', 'fidelite', 'enfant', 'sport', 'maison'];

/** mulberry32: a tiny, well-known seeded PRNG, so samples are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SamplePurchase {
  email: string;
  storeId: string;
  amount: number;
  at: string;
  channel: 'store' | 'web' | 'phone';
}

export interface SampleData {
  csv: string;
  purchases: SamplePurchase[];
}

const CHANNEL_WORDS: Record<SamplePurchase['channel'], string> = {
  store: 'magasin',
  web: 'web',
  phone: 'téléphone',
};

/**
 * The purchases as a till system exports them: French columns, semicolons, day-first dates with a
 * separate time, decimal commas, a BOM and CRLF — plus `anonymous` receipts of customers the file
 * does not know (the shops' traffic without a customer), spread over the same two years.
 */
export function sampleReceiptsCsv(
  purchases: SamplePurchase[],
  storeIds: string[],
  now: Date,
  anonymous: number,
  seed = 7,
): string {
  const rand = prng(seed);
  const lines = ['N° ticket;Magasin;Date;Heure;Montant TTC;E-mail;Canal'];
  const two = (n: number) => String(n).padStart(2, '0');
  // Paris wall-clock time, as a till prints it (close enough for a sample: UTC+1).
  const local = (iso: string) => {
    const d = new Date(Date.parse(iso) + 3_600_000);
    return [
      `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`,
      `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`,
    ];
  };
  const euros = (n: number) => n.toFixed(2).replace('.', ',');
  purchases.forEach((p, i) => {
    const [day, time] = local(p.at);
    lines.push(
      [
        `T${String(i + 1).padStart(7, '0')}`,
        p.storeId,
        day,
        time,
        euros(p.amount),
        p.email,
        CHANNEL_WORDS[p.channel],
      ].join(';'),
    );
  });
  for (let i = 0; i < anonymous; i++) {
    const at = new Date(now.getTime() - Math.floor(rand() * 730 * 86_400_000)).toISOString();
    const [day, time] = local(at);
    lines.push(
      [
        `A${String(i + 1).padStart(7, '0')}`,
        pick(rand, storeIds),
        day,
        time,
        euros(Math.round((8 + rand() * 90) * 100) / 100),
        '',
        'magasin',
      ].join(';'),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * `count` customers spread over the stores, as an import CSV, plus their
 * purchases over the two years before `now`. About a third have not bought
 * for over six months: the customers a win-back ("relance") is for.
 */
export function sampleCustomers(count: number, storeIds: string[], now: Date, seed = 42): SampleData {
  const rand = prng(seed);
  const header =
    'email,phone,firstName,lastName,locale,homeStoreId,tags,email_consent,email_consent_source,email_consent_at,sms_consent,sms_consent_source,sms_consent_at,attr.loyaltyPoints:number';
  const lines = [header];
  const purchases: SamplePurchase[] = [];
  const day = 86_400_000;
  for (let i = 0; i < count; i++) {
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const email = `${first}.${last}.${i}@example.com`
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    const hasPhone = rand() < 0.6;
    // 061… is an assigned mobile range; the index keeps every number valid and unique.
    const phone = hasPhone ? `061${String(i).padStart(7, '0')}` : '';
    const store = pick(rand, storeIds);
    const locale = rand() < 0.85 ? 'fr' : 'en';
    const tags = TAGS.filter(() => rand() < 0.2).join('|');
    const signedUp = new Date(now.getTime() - Math.floor(rand() * 900) * day).toISOString();
    const emailConsent = rand() < 0.9 ? 'granted' : 'denied';
    const smsConsent = hasPhone ? (rand() < 0.5 ? 'granted' : 'denied') : '';
    lines.push(
      [
        email,
        phone,
        first,
        last,
        locale,
        store,
        tags,
        emailConsent,
        rand() < 0.5 ? 'store' : 'web',
        signedUp,
        smsConsent,
        smsConsent ? 'store' : '',
        smsConsent ? signedUp : '',
        String(Math.floor(rand() * 500)),
      ]
        .map(csvCell)
        .join(','),
    );
    // Recent (some about to lapse), lapsed (6-24 months) or never: the mix a retailer's file really has.
    const profile = rand();
    const n = profile < 0.1 ? 0 : 1 + Math.floor(rand() * 2);
    const newest = profile < 0.45 ? 10 + rand() * 172 : 190 + rand() * 500;
    for (let p = 0; p < n; p++) {
      const ageDays = newest + p * (20 + rand() * 60);
      const r = rand();
      purchases.push({
        email,
        storeId: r < 0.85 ? store : pick(rand, storeIds),
        amount: Math.round((15 + rand() * 120) * 100) / 100,
        at: new Date(now.getTime() - Math.floor(ageDays * day)).toISOString(),
        channel: r < 0.7 ? 'store' : r < 0.93 ? 'web' : 'phone',
      });
    }
  }
  return { csv: `${lines.join('\n')}\n`, purchases };
}
