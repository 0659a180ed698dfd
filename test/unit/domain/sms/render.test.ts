import { describe, expect, it, vi } from 'vitest';
import { smsSize } from '../../../../functions/domain/sms/encoding';
import {
  gsmFriendly,
  linksIn,
  prepareSms,
  renderSms,
  replaceLinks,
  type SmsVars,
} from '../../../../functions/domain/sms/render';

const vars = (over: Partial<SmsVars> = {}): SmsVars => ({
  contact: { id: 'c_1', firstName: 'Léa' },
  company: { name: 'Maison Martin', address: '1 rue de la Paix, 75002 Paris' },
  campaign: { id: 'cmp_1', name: 'Winback' },
  ...over,
});

const render = (body: string, v: SmsVars = vars()) => renderSms(prepareSms({ body }), v);

describe('prepareSms / renderSms', () => {
  it('substitutes variables', () => {
    expect(render('Bonjour {{ contact.firstName }}, {{ company.name }} vous attend')).toBe(
      'Bonjour Léa, Maison Martin vous attend',
    );
  });

  it('trims the text and the spaces at line ends', () => {
    expect(render('   Bonjour   \n  ligne 2 \t\nfin  \n\n')).toBe('Bonjour\n  ligne 2\nfin');
  });

  it('collapses runs of blank lines left by conditional blocks into one blank line', () => {
    expect(render('A\n{% if coupon %}Code {{ coupon.code }}{% endif %}\n\n\nB\n\n\n\n\nC')).toBe(
      'A\n\nB\n\nC',
    );
    // Two newlines (one blank line) are kept as they are.
    expect(render('A\n\nB')).toBe('A\n\nB');
  });

  it('does not escape HTML: the text is sent as is', () => {
    expect(render('Hi {{ contact.firstName }}', vars({ contact: { id: 'c_1', firstName: '<b>&' } }))).toBe(
      'Hi <b>&',
    );
    expect(render('<b>{{ company.name }}</b> & co')).toBe('<b>Maison Martin</b> & co');
  });

  it('renders a missing variable as empty', () => {
    expect(render('Hi {{ contact.lastName }}!')).toBe('Hi !');
    expect(render('[{{ coupon.code }}][{{ nothing.here }}]')).toBe('[][]');
    expect(render('{{ contact.firstName | default: "vous" }}', vars({ contact: { id: 'c_1' } }))).toBe(
      'vous',
    );
  });

  it('makes rendered values GSM-friendly too (an offer text with a curly apostrophe)', () => {
    const v = vars({
      coupon: {
        code: 'ABCD-EFGH-JKLM-N',
        offer: 'Jusqu’à -20 %',
        validUntil: '14 février 2026',
        barcodeUrl: 'https://x.example/b.png',
        qrUrl: 'https://x.example/q.png',
        printUrl: 'https://x.example/c/1',
      },
    });
    expect(render('{{ coupon.offer }} : {{ coupon.code }}', v)).toBe("Jusqu'à -20 % : ABCD-EFGH-JKLM-N");
  });

  it('prepares once and renders for many recipients', () => {
    const prepared = prepareSms({ body: 'Bonjour {{ contact.firstName }}' });
    expect(renderSms(prepared, vars({ contact: { id: 'a', firstName: 'Ann' } }))).toBe('Bonjour Ann');
    expect(renderSms(prepared, vars({ contact: { id: 'b', firstName: 'Bob' } }))).toBe('Bonjour Bob');
  });
});

describe('gsmFriendly', () => {
  it('replaces typographic quotes, dashes, ellipses and special spaces', () => {
    expect(gsmFriendly('\u2019')).toBe("'"); // ’
    expect(gsmFriendly('\u2018')).toBe("'"); // ‘
    expect(gsmFriendly('\u201C')).toBe('"'); // “
    expect(gsmFriendly('\u201D')).toBe('"'); // ”
    expect(gsmFriendly('\u00AB')).toBe('"'); // «
    expect(gsmFriendly('\u00BB')).toBe('"'); // »
    expect(gsmFriendly('\u2013')).toBe('-'); // –
    expect(gsmFriendly('\u2014')).toBe('-'); // —
    expect(gsmFriendly('\u2026')).toBe('...'); // …
    expect(gsmFriendly('\u00A0')).toBe(' '); // no-break space
    expect(gsmFriendly('\u202F')).toBe(' '); // narrow no-break space
    expect(gsmFriendly('\u2009')).toBe(' '); // thin space
    expect(gsmFriendly('\u2212')).toBe('-'); // minus sign
  });

  it('replaces every occurrence and leaves everything else alone', () => {
    expect(gsmFriendly('L’ami d’un ami – “vite”…')).toBe('L\'ami d\'un ami - "vite"...');
    expect(gsmFriendly('é è à ù ê ç 🎉')).toBe('é è à ù ê ç 🎉');
    expect(gsmFriendly('')).toBe('');
  });

  it('turns a French sentence with typographic characters into GSM-7', () => {
    const sentence = 'L’équipe de «\u00A0Chez Léa\u00A0» vous attend\u202F– à très vite…';
    expect(smsSize(sentence)).toMatchObject({
      encoding: 'UCS-2',
      nonGsmCharacters: ['’', '«', '\u00A0', '»', '\u202F', '–', '…'],
    });
    const friendly = gsmFriendly(sentence);
    expect(friendly).toBe('L\'équipe de " Chez Léa " vous attend - à très vite...');
    expect(smsSize(friendly)).toEqual({
      encoding: 'GSM-7',
      units: 53,
      segments: 1,
      perSegment: 160,
      remaining: 107,
      nonGsmCharacters: [],
    });
  });
});

describe('linksIn', () => {
  it('finds the distinct URLs in order of first appearance', () => {
    expect(
      linksIn(
        'A https://b.example/2 then http://a.example/1 and https://b.example/2 again, https://c.example',
      ),
    ).toEqual(['https://b.example/2', 'http://a.example/1', 'https://c.example']);
  });

  it('leaves out a sentence’s closing punctuation', () => {
    expect(linksIn('See https://a.example/x.')).toEqual(['https://a.example/x']);
    expect(linksIn('See https://a.example/x, then')).toEqual(['https://a.example/x']);
    expect(linksIn('(see https://a.example/x)')).toEqual(['https://a.example/x']);
    expect(linksIn('Go https://a.example/x!')).toEqual(['https://a.example/x']);
    expect(linksIn('Go https://a.example/x?')).toEqual(['https://a.example/x']);
    expect(linksIn('Go https://a.example/x;')).toEqual(['https://a.example/x']);
    expect(linksIn('Go https://a.example/x...')).toEqual(['https://a.example/x']);
  });

  it('keeps query strings, inner dots and paths', () => {
    expect(linksIn('Voir https://a.example/p/x.html?utm=sms&id=42.')).toEqual([
      'https://a.example/p/x.html?utm=sms&id=42',
    ]);
    expect(linksIn('https://a.example/?q=1')).toEqual(['https://a.example/?q=1']);
  });

  it('stops at whitespace, quotes and angle brackets', () => {
    expect(linksIn('"https://a.example/x" <https://b.example/y>\nhttps://c.example/z')).toEqual([
      'https://a.example/x',
      'https://b.example/y',
      'https://c.example/z',
    ]);
  });

  it('finds nothing in a text without links', () => {
    expect(linksIn('Répondez STOP pour vous désabonner. www.example.com')).toEqual([]);
    expect(linksIn('')).toEqual([]);
  });
});

describe('replaceLinks', () => {
  it('replaces each URL, giving the same URL the same replacement, with indices in order', async () => {
    const shorten = vi.fn(async (_url: string, index: number) => `https://r.example/s/L${index}`);
    const out = await replaceLinks(
      'A https://a.example/1?x=2, B https://b.example/2. A again https://a.example/1?x=2!',
      shorten,
    );
    expect(out).toBe('A https://r.example/s/L0, B https://r.example/s/L1. A again https://r.example/s/L0!');
    expect(shorten.mock.calls).toEqual([
      ['https://a.example/1?x=2', 0],
      ['https://b.example/2', 1],
    ]);
  });

  it('calls shorten once per distinct URL', async () => {
    const shorten = vi.fn(async (url: string) => `<${url.length}>`);
    const out = await replaceLinks('https://a.example/1 https://a.example/1 https://a.example/1', shorten);
    expect(out).toBe('<19> <19> <19>');
    expect(shorten).toHaveBeenCalledTimes(1);
  });

  it('does not confuse a URL with a longer one that starts like it', async () => {
    const out = await replaceLinks(
      'https://a.example/1 https://a.example/10',
      async (_url, index) => `S${index}`,
    );
    expect(out).toBe('S0 S1');
  });

  it('leaves a text without links unchanged and never calls shorten', async () => {
    const shorten = vi.fn(async () => 'x');
    expect(await replaceLinks('Répondez STOP pour vous désabonner', shorten)).toBe(
      'Répondez STOP pour vous désabonner',
    );
    expect(shorten).not.toHaveBeenCalled();
  });

  it('propagates a failure of shorten', async () => {
    await expect(
      replaceLinks('https://a.example/1', async () => {
        throw new Error('store down');
      }),
    ).rejects.toThrow('store down');
  });
});
