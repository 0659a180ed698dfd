/**
 * The output of compiling one MJML template for one locale, stored on the
 * campaign. It lives in its own module so that the sender (which bundles
 * render.ts) can name the type without pulling compile.ts, and with it mjml,
 * into its bundle.
 */
export interface CompiledEmail {
  /** Liquid, rendered as plain text (never HTML-escaped): it becomes a header. */
  subject: string;
  /** Liquid, rendered as plain text and exposed to the HTML as `{{ preheader }}`. */
  preheader: string;
  /** Liquid over the HTML compiled from MJML; outputs are HTML-escaped when rendered. */
  html: string;
  /** Liquid over the plain-text alternative derived from the compiled HTML. */
  text: string;
}
