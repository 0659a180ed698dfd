/**
 * Turns an MJML template with a YAML front-matter header into the four Liquid templates a
 * campaign stores (subject, preheader, HTML, text). It runs once, when a campaign is created,
 * and is never bundled into the sender: mjml and html-to-text are heavy, and per recipient only
 * Liquid substitution (render.ts) is needed.
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';
import { Liquid, LiquidError } from 'liquidjs';
import mjml2html from 'mjml';
import { isMap, isScalar, LineCounter, parseDocument, type Scalar } from 'yaml';
import { validationError } from '../shared/errors';
import { liquidOptions } from './render';
import type { CompiledEmail } from './types';

export type { CompiledEmail } from './types';

/** A problem found in a template file, at a 1-based line of that file. */
interface Problem {
  line: number;
  message: string;
}

/** The header of a template file: what a marketer reads in the catalog, and what the inbox shows. */
export interface FrontMatter {
  subject: string;
  preheader: string;
}

/** A template file split in two: its header, and its MJML with line numbers kept as in the file. */
export interface SplitTemplate {
  meta: FrontMatter;
  /** The MJML, preceded by one empty line per header line so that reported lines match the file. */
  body: string;
  /** 1-based line of each header value, to point Liquid errors in the subject at the right line. */
  lines: Record<keyof FrontMatter, number>;
}

const KEYS: readonly (keyof FrontMatter)[] = ['subject', 'preheader'];

/** Parses with the sender's options, so a template that compiles here also parses there. */
const parser = new Liquid({ ...liquidOptions });

/**
 * The plain-text part is derived from the HTML, so the two always say the same thing. Lines are
 * never wrapped (a wrap inside `{{ … }}` would break the Liquid), links keep their target as
 * `text [url]`, images and the hidden preheader are dropped, and so is anything a template marks
 * `css-class="html-only"` (a caption under an image, say). Headings keep their case: upper-casing
 * `{{ event.title }}` would turn it into another, undefined, variable.
 */
const TEXT_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { linkBrackets: ['[', ']'], hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'div[style*="display:none"]', format: 'skip' },
    { selector: '.html-only', format: 'skip' },
    ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((h) => ({
      selector: h,
      options: { uppercase: false },
    })),
  ],
};

/** MJML components whose content is raw HTML: another MJML tag inside them is not structure. */
const ENDING_TAGS = new Set([
  'mj-text',
  'mj-button',
  'mj-raw',
  'mj-table',
  'mj-navbar-link',
  'mj-accordion-title',
  'mj-accordion-text',
  'mj-social-element',
  'mj-style',
  'mj-title',
  'mj-preview',
]);

const LIQUID_TOKEN = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const FILE_TAGS = /^\{%-?\s*(include|render|layout)\b/;

function templateError(file: string, problems: Problem[]) {
  return validationError(
    problems.map((p) => ({ path: 'template', message: `${file}:${p.line}: ${p.message}` })),
    `The template ${file} is not valid`,
  );
}

/** 1-based line of a character offset. */
const lineAt = (text: string, index: number) => {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
};

/**
 * Splits the YAML header from the MJML. The header must declare a subject; unknown keys are
 * refused so that a typo (`subjet:`) is an error rather than an email without a subject.
 */
export function splitFrontMatter(source: string, file = 'template'): SplitTemplate {
  const lines = source.replace(/^\uFEFF/, '').split('\n');
  if (lines[0]?.trimEnd() !== '---') {
    throw templateError(file, [
      { line: 1, message: 'A template starts with a front-matter block: "---", subject: …, "---"' },
    ]);
  }
  const end = lines.findIndex((l, i) => i > 0 && l.trimEnd() === '---');
  if (end === -1) {
    throw templateError(file, [{ line: 1, message: 'The front-matter block is not closed by "---"' }]);
  }
  const header = lines.slice(1, end).join('\n');
  const counter = new LineCounter();
  const doc = parseDocument(header, { lineCounter: counter, prettyErrors: false });
  // Header line n is file line n + 1: the opening "---" is line 1.
  const fileLine = (offset: number) => counter.linePos(offset).line + 1;
  const problems: Problem[] = doc.errors.map((e) => ({
    line: fileLine(e.pos[0]),
    message: `Front matter: ${e.message}`,
  }));
  if (problems.length > 0) throw templateError(file, problems);

  const meta: FrontMatter = { subject: '', preheader: '' };
  const at: Record<keyof FrontMatter, number> = { subject: 1, preheader: 1 };
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw templateError(file, [{ line: 2, message: 'Front matter must be "key: value" lines' }]);
  }
  for (const pair of doc.contents?.items ?? []) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const keyLine = isScalar(pair.key) && pair.key.range ? fileLine(pair.key.range[0]) : 2;
    if (!(KEYS as readonly string[]).includes(key)) {
      problems.push({ line: keyLine, message: `Unknown front-matter key "${key}"; use ${KEYS.join(', ')}` });
      continue;
    }
    const name = key as keyof FrontMatter;
    const value = pair.value as Scalar | null;
    if (!isScalar(value) || typeof value.value !== 'string') {
      problems.push({ line: keyLine, message: `"${name}" must be text` });
      continue;
    }
    meta[name] = value.value.trim();
    // A block scalar ("subject: >") starts on the line after its indicator.
    const block = value.type === 'BLOCK_FOLDED' || value.type === 'BLOCK_LITERAL';
    at[name] = (value.range ? fileLine(value.range[0]) : keyLine) + (block ? 1 : 0);
  }
  if (!meta.subject) problems.push({ line: 2, message: 'Front matter needs a "subject"' });
  if (problems.length > 0) throw templateError(file, problems);
  return { meta, body: '\n'.repeat(end + 1) + lines.slice(end + 1).join('\n'), lines: at };
}

/** Replaces comments by spaces (keeping newlines), so offsets and lines stay those of the file. */
const blankComments = (text: string) => text.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));

/**
 * Checks that MJML tags are balanced. mjml's parser is lenient: an unclosed `<mj-text>` or a
 * misspelt closing tag passes strict validation and silently swallows the rest of the email.
 */
function checkTagBalance(body: string): Problem[] {
  const text = blankComments(body);
  const tag = /<(\/?)(mjml|mj-[a-z-]+)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  const open: { name: string; line: number }[] = [];
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const [, closing, name = '', attributes = ''] = m;
    const line = lineAt(text, m.index);
    if (closing) {
      const top = open.pop();
      if (!top) return [{ line, message: `</${name}> closes nothing` }];
      if (top.name !== name) {
        return [
          { line, message: `</${name}> found where <${top.name}> (line ${top.line}) should be closed` },
        ];
      }
    } else if (!attributes.trimEnd().endsWith('/')) {
      if (ENDING_TAGS.has(name)) {
        const close = text.indexOf(`</${name}>`, tag.lastIndex);
        if (close === -1) return [{ line, message: `<${name}> is never closed` }];
        tag.lastIndex = close + name.length + 3;
      } else {
        open.push({ name, line });
      }
    }
  }
  const last = open.pop();
  return last ? [{ line: last.line, message: `<${last.name}> is never closed` }] : [];
}

/** A liquidjs error as a problem at a line of `text`, whose line 1 is file line `firstLine`. */
function liquidProblem(error: unknown, firstLine = 1): Problem {
  if (!(error instanceof LiquidError)) throw error;
  const line = error.token?.getPosition()[0] ?? 1;
  return {
    line: firstLine + line - 1,
    message: `Liquid: ${error.message.replace(/, line:\d+, col:\d+$/, '')}`,
  };
}

function checkLiquid(text: string, firstLine = 1): Problem[] {
  try {
    parser.parse(text);
    return [];
  } catch (error) {
    return [liquidProblem(error, firstLine)];
  }
}

/** Liquid tokens of a text, with whitespace normalised (mjml may re-indent, never re-word). */
function liquidTokens(text: string): { token: string; index: number }[] {
  return [...text.matchAll(LIQUID_TOKEN)].map((m) => ({ token: m[0].replace(/\s+/g, ' '), index: m.index }));
}

/**
 * Finds Liquid that MJML dropped. mjml discards text that is not inside a content component, so a
 * `{% if %}` written between two `<mj-section>`s without `<mj-raw>` vanishes and its `{% endif %}`
 * may not: the email would then render something else than what was written.
 */
function droppedLiquid(source: string, html: string): Problem[] {
  const remaining = new Map<string, number>();
  for (const { token } of liquidTokens(html)) remaining.set(token, (remaining.get(token) ?? 0) + 1);
  const problems: Problem[] = [];
  for (const { token, index } of liquidTokens(blankComments(source))) {
    const left = remaining.get(token) ?? 0;
    if (left > 0) {
      remaining.set(token, left - 1);
      continue;
    }
    problems.push({
      line: lineAt(source, index),
      message: `MJML dropped ${token}: put Liquid inside <mj-text>, <mj-button>, an attribute, or <mj-raw>`,
    });
  }
  return problems;
}

function refuseFileTags(source: string): Problem[] {
  return liquidTokens(blankComments(source))
    .filter(({ token }) => FILE_TAGS.test(token))
    .map(({ token, index }) => ({
      line: lineAt(source, index),
      message: `${token} is not available in templates: they cannot read files`,
    }));
}

/**
 * Checks a plain Liquid template (an SMS): its syntax, unknown filters, and no file tags. Throws
 * the same 400 as an email template, naming the file and line.
 */
export function checkLiquidTemplate(source: string, file: string): void {
  const problems = [...checkLiquid(source), ...refuseFileTags(source)];
  if (problems.length > 0) throw templateError(file, problems);
}

/** Makes `{{ preheader }}` the inbox preview unless the template wrote its own `<mj-preview>`. */
function withPreview(body: string): string {
  if (/<mj-preview[\s>]/.test(body)) return body;
  const preview = '<mj-preview>{{ preheader }}</mj-preview>';
  // Inserted on the same line, so that every line number after it is still the file's.
  const head = /<mj-head(\s[^>]*)?>/.exec(body);
  if (head)
    return body.slice(0, head.index + head[0].length) + preview + body.slice(head.index + head[0].length);
  const root = /<mjml(\s[^>]*)?>/.exec(body);
  if (!root) return body;
  const at = root.index + root[0].length;
  return `${body.slice(0, at)}<mj-head>${preview}</mj-head>${body.slice(at)}`;
}

interface MjmlIssue {
  line?: number;
  message?: string;
}

async function compileMjml(body: string): Promise<{ html?: string; problems: Problem[] }> {
  try {
    // mjml 5 is asynchronous. No default fonts: mjml would otherwise link Google Fonts whenever a
    // font-family names one of them. Comments are authoring notes, not content.
    const result = await mjml2html(body, { validationLevel: 'strict', fonts: {}, keepComments: false });
    return { html: result.html, problems: [] };
  } catch (error) {
    const issues = (error as { errors?: unknown }).errors;
    if (Array.isArray(issues)) {
      return {
        problems: (issues as MjmlIssue[]).map((e) => ({ line: e.line ?? 1, message: `MJML: ${e.message}` })),
      };
    }
    return { problems: [{ line: 1, message: `MJML: ${(error as Error).message}` }] };
  }
}

/**
 * Compiles a template file into a campaign's stored email. Every check a marketer can fail is made
 * here, when the campaign is created, and reported as a 400 naming the file and line: the front
 * matter, balanced MJML tags, MJML strict validation, Liquid syntax (unknown filters included),
 * and that MJML kept every Liquid tag. The sender then only substitutes variables.
 */
export async function compileEmailTemplate(
  source: string,
  opts: { file?: string } = {},
): Promise<CompiledEmail> {
  const file = opts.file ?? 'template';
  const { meta, body: rawBody, lines } = splitFrontMatter(source, file);

  const headerProblems = [
    ...checkLiquid(meta.subject, lines.subject),
    ...checkLiquid(meta.preheader, lines.preheader),
  ];
  if (headerProblems.length > 0) throw templateError(file, headerProblems);

  const body = withPreview(rawBody);
  const sourceProblems = [...checkTagBalance(body), ...checkLiquid(body), ...refuseFileTags(body)];
  if (sourceProblems.length > 0) throw templateError(file, sourceProblems);

  const { html, problems } = await compileMjml(body);
  if (html === undefined) throw templateError(file, problems);

  const dropped = droppedLiquid(body, html);
  if (dropped.length > 0) throw templateError(file, dropped);

  const text = convert(html, TEXT_OPTIONS);
  const outputProblems = [...checkLiquid(html), ...checkLiquid(text)].map((p) => ({
    // Lines of generated output mean nothing to the author: point at the template instead.
    line: 1,
    message: `${p.message} (after MJML compilation)`,
  }));
  if (outputProblems.length > 0) throw templateError(file, outputProblems);

  return { subject: meta.subject, preheader: meta.preheader, html, text };
}
