/** Escapes text for HTML content and double- or single-quoted attributes: every server-rendered page uses it. */
export const esc = (value: string | number): string =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
