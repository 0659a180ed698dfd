/** A web scheme (`http://`, `HTTPS:\\`…) as a browser, a phone or a mail client would read it. */
const WEB_SCHEME = /https?:[/\\]+/gi;

/**
 * Text a person typed (a first name given at a till, a file's cell), made unable to become a link:
 * every web scheme is removed, again and again until none is left — so `hthttps://tps://evil.example`
 * does not become `https://evil.example` once the inner one is gone. Only the links written in a
 * template itself are shortened, tracked or clicked.
 */
export function inertText(text: string): string {
  let out = text;
  for (let before = ''; before !== out; ) {
    before = out;
    out = out.replace(WEB_SCHEME, '');
  }
  return out;
}
