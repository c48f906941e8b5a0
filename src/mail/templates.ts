// Campaign templates (subjects, plain-text bodies, optional HTML bodies) as Handlebars templates.
// Checked when a campaign is saved (checkTemplate → the API answers 400 naming the step and the
// position) and rendered by the email activity. One isolated Handlebars environment: only the
// helpers below and the built-in block helpers (if, unless, each, with) exist, partials and
// decorators are refused, and prototype properties/methods of the data are never reachable.
// Links are found in the template at compile time (markTemplateLinks), never in lead values, so
// only links that marketing wrote are ever click-tracked.
import Handlebars from 'handlebars';
import { escapeHtml, hrefsIn, rewriteHrefs } from './html';
import { markLink, stripMarks, urlsInText, withoutMarks } from './link-marks';

export type TemplateMode = 'text' | 'html';

export interface TemplateFields {
  [key: string]: unknown;
}

/** Per-email helpers: the lead's unsubscribe link and click-tracked links. */
export interface TemplateLinks {
  unsubscribeUrl: string | null;
  track(url: string): string;
}

export interface TemplateProblem {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

/** Helpers a template may call: `{{unsubscribeUrl}}`, `{{track "https://example.com/page"}}`. */
export const TEMPLATE_HELPERS = ['unsubscribeUrl', 'track'] as const;
/** Internal helpers the compiler inserts: a link written in the template, a value `track` was given by mistake. */
const LINK_HELPER = '__templateLink';
const VALUE_HELPER = '__templateValue';
const INTERNAL_HELPERS = new Set([LINK_HELPER, VALUE_HELPER]);

const env = Handlebars.create();
// `log` would write lead data to the process's console: templates never get it.
env.unregisterHelper('log');
const knownHelpers = Object.fromEntries([...TEMPLATE_HELPERS, LINK_HELPER, VALUE_HELPER].map((h) => [h, true])) as Record<string, boolean>;
const compileOptions = (mode: TemplateMode): CompileOptions => ({
  // Plain text is never HTML-escaped; HTML always is (noEscape stays off, and fixCall compiles
  // {{{x}}} and {{&x}} of stored HTML templates as escaped output).
  noEscape: mode === 'text',
  knownHelpers,
  knownHelpersOnly: true,
  strict: false,
});
type CompileOptions = NonNullable<Parameters<typeof env.compile>[1]>;

const RUNTIME_SAFETY = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false } as const;

export class TemplateError extends Error {
  constructor(readonly problem: TemplateProblem) {
    super(`${problem.message} (line ${problem.line}, column ${problem.column})`);
    this.name = 'TemplateError';
  }
}

/** Refuses constructs this product does not offer: partials (no partials exist) and decorators. */
class Unsupported extends Handlebars.Visitor {
  override PartialStatement(node: hbs.AST.PartialStatement): void {
    refuse('partials ({{> name}}) are not supported', node.loc);
  }
  override PartialBlockStatement(node: hbs.AST.PartialBlockStatement): void {
    refuse('partial blocks ({{#> name}}) are not supported', node.loc);
  }
  override Decorator(node: hbs.AST.Decorator): void {
    refuse('decorators are not supported', node.loc);
  }
  override DecoratorBlock(node: hbs.AST.DecoratorBlock): void {
    refuse('decorators are not supported', node.loc);
  }
}

function refuse(message: string, loc: hbs.AST.SourceLocation | undefined): never {
  throw new TemplateError({ message, line: loc?.start.line ?? 1, column: (loc?.start.column ?? 0) + 1 });
}

/** The first problem of a template, or null when it compiles and follows the authoring rules. */
export function checkTemplate(source: string, mode: TemplateMode = 'text'): TemplateProblem | null {
  try {
    return compile(source, mode).problem;
  } catch (err) {
    if (err instanceof TemplateError) return err.problem;
    throw err;
  }
}

/** The links a template wrote, that its emails track: URLs in its text (hrefs in HTML) and {{track}} arguments. */
export function templateLinks(source: string, mode: TemplateMode): string[] {
  try {
    return [...compile(source, mode).links];
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    const links: string[] = [];
    renderLegacy(source, {}, mode, { unsubscribeUrl: null, track: (url) => (links.push(url), url) }, false);
    return links;
  }
}

interface Compiled {
  template: HandlebarsTemplateDelegate;
  /** An authoring rule the template breaks: refused at save; a stored template still renders (safely). */
  problem: TemplateProblem | null;
  links: readonly string[];
}

const cache = new Map<string, Compiled>();
const CACHE_SIZE = 500;

function compile(source: string, mode: TemplateMode): Compiled {
  const key = `${mode}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let compiled: Compiled;
  try {
    const ast = env.parse(source);
    new Unsupported().accept(ast);
    const problem = authoringProblem(ast, mode);
    const links: string[] = [];
    markTemplateLinks(ast, mode, links);
    // precompile runs the compiler now (unknown helpers, mismatched blocks); compile alone is lazy.
    env.precompile(ast, compileOptions(mode));
    compiled = { template: env.compile(ast, compileOptions(mode)), problem, links };
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(problemOf(err));
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}

type Call = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;
const calleeOf = (node: Call): string | null => {
  const path = node.path as hbs.AST.PathExpression;
  return path.type === 'PathExpression' && !path.data && path.depth === 0 && path.parts.length === 1 ? path.parts[0]! : null;
};
const isCall = (node: hbs.AST.Node | undefined): node is Call =>
  node !== undefined && (node.type === 'MustacheStatement' || node.type === 'BlockStatement' || node.type === 'SubExpression');
const at = (loc: hbs.AST.SourceLocation | undefined): Omit<TemplateProblem, 'message'> => ({ line: loc?.start.line ?? 1, column: (loc?.start.column ?? 0) + 1 });

/** Rules for what marketing saves: lead values always escaped in HTML, never logged, never a tracked link. */
function authoringProblem(ast: hbs.AST.Program, mode: TemplateMode): TemplateProblem | null {
  let problem: TemplateProblem | null = null;
  const call = (node: Call) => {
    const name = calleeOf(node);
    if (name === 'log') problem ??= { ...at(node.loc), message: 'the log helper is not available (it would write lead data to the logs)' };
    if (name !== null && INTERNAL_HELPERS.has(name)) problem ??= { ...at(node.loc), message: `unknown helper ${name}` };
    if (name === 'track' && node.params[0]?.type !== 'StringLiteral') {
      problem ??= { ...at(node.loc), message: 'track takes a URL written in quotes, e.g. {{track "https://example.com/"}} (a field never becomes a tracked link)' };
    }
    if (mode === 'html' && node.type === 'MustacheStatement' && !node.escaped) {
      problem ??= { ...at(node.loc), message: 'unescaped output ({{{…}}} or {{&…}}) is not allowed in HTML templates: values are always escaped' };
    }
    for (const param of [...node.params, ...(node.hash?.pairs.map((p) => p.value) ?? [])]) if (isCall(param)) call(param);
  };
  walk(ast, call);
  return problem;
}

function walk(program: hbs.AST.Program, call: (node: Call) => void): void {
  for (const node of program.body) {
    if (isCall(node)) call(node);
    if (node.type === 'BlockStatement') {
      const block = node as hbs.AST.BlockStatement;
      if (block.program) walk(block.program, call);
      if (block.inverse) walk(block.inverse, call);
    }
  }
}

const pathNode = (name: string, loc: hbs.AST.SourceLocation): hbs.AST.PathExpression =>
  ({ type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc }) as hbs.AST.PathExpression;
const contentNode = (value: string, loc: hbs.AST.SourceLocation): hbs.AST.ContentStatement =>
  ({ type: 'ContentStatement', value, original: value, loc }) as unknown as hbs.AST.ContentStatement;
const linkNode = (url: string, loc: hbs.AST.SourceLocation): hbs.AST.MustacheStatement =>
  ({
    type: 'MustacheStatement',
    path: pathNode(LINK_HELPER, loc),
    params: [{ type: 'StringLiteral', value: url, original: url, loc } as hbs.AST.StringLiteral],
    escaped: true,
    strip: { open: false, close: false },
    loc,
  }) as unknown as hbs.AST.MustacheStatement;

/**
 * Marks the links the template wrote, at compile time, before any lead value exists: each URL in
 * the template's own text (text mode) or each absolute href (HTML mode) becomes a call of the link
 * helper, which tracks it; `track` given a field instead of a quoted URL renders the value as
 * plain text; HTML output is always escaped. Lead values are rendered afterwards and are never
 * searched for links, so a URL in a name stays text.
 */
function markTemplateLinks(program: hbs.AST.Program, mode: TemplateMode, links: string[]): void {
  const body: hbs.AST.Statement[] = [];
  for (const [i, node] of program.body.entries()) {
    if (node.type !== 'ContentStatement') {
      if (isCall(node)) fixCall(node, mode, links);
      if (node.type === 'BlockStatement') {
        const block = node as hbs.AST.BlockStatement;
        if (block.program) markTemplateLinks(block.program, mode, links);
        if (block.inverse) markTemplateLinks(block.inverse, mode, links);
      }
      body.push(node);
      continue;
    }
    const content = node as hbs.AST.ContentStatement;
    const text = stripMarks(content.value);
    const next = program.body[i + 1];
    const found = mode === 'html' ? hrefsIn(text) : urlsInText(text, next?.type === 'MustacheStatement' || next?.type === 'BlockStatement');
    let from = 0;
    for (const f of found) {
      if (f.start > from) body.push(contentNode(text.slice(from, f.start), content.loc));
      body.push(linkNode(f.url, content.loc));
      links.push(f.url);
      from = f.end;
    }
    if (from < text.length || found.length === 0) body.push(contentNode(text.slice(from), content.loc));
  }
  program.body = body;
}

function fixCall(node: Call, mode: TemplateMode, links: string[]): void {
  const name = calleeOf(node);
  if (name === 'track') {
    const arg = node.params[0];
    if (arg?.type === 'StringLiteral') links.push((arg as hbs.AST.StringLiteral).value);
    else node.path = pathNode(VALUE_HELPER, node.loc);
  }
  if (mode === 'html' && node.type === 'MustacheStatement') (node as { escaped: boolean }).escaped = true;
  for (const param of [...node.params, ...(node.hash?.pairs.map((p) => p.value) ?? [])]) if (isCall(param)) fixCall(param, mode, links);
}

function problemOf(err: unknown): TemplateProblem {
  const e = err as { message?: string; lineNumber?: number; column?: number };
  const raw = String(e.message ?? err);
  if (typeof e.lineNumber === 'number') {
    // Handlebars.Exception: "<message> - line:column".
    return { line: e.lineNumber, column: (e.column ?? 0) + 1, message: raw.replace(/ - \d+:\d+$/, '') };
  }
  // Parser errors carry their position only in the lexer's state (read at once: parsing is synchronous).
  const loc = (Handlebars as unknown as { Parser: { lexer?: { yylloc?: { first_line: number; first_column: number } } } }).Parser.lexer?.yylloc;
  const expecting = /Expecting (.*), got '([^']+)'/.exec(raw);
  const message = expecting ? `unexpected ${describeToken(expecting[2]!)}` : (raw.split('\n')[0] ?? raw).replace(/ on line \d+:?$/, '');
  return { line: loc?.first_line ?? 1, column: (loc?.first_column ?? 0) + 1, message: `template syntax error: ${message}` };
}

function describeToken(token: string): string {
  if (token === 'EOF') return 'end of template (an unclosed {{ or block?)';
  if (token === 'INVALID') return 'character inside {{ }}';
  if (token === 'OPEN_ENDBLOCK') return '{{/...}} without a matching {{#...}}';
  if (token === 'CLOSE_UNESCAPED') return '}}} (use {{ }} for a field)';
  return `'${token}'`;
}

function render(source: string, fields: TemplateFields, mode: TemplateMode, links: TemplateLinks | undefined, marked: boolean): string {
  const { template } = compile(source, mode);
  // In text mode a link leaves the renderer marked (link-marks.ts); HTML mode escapes it as a value.
  const link = (url: string) => (mode === 'text' && marked ? markLink(url) : url);
  return template(withoutMarks(fields), {
    ...RUNTIME_SAFETY,
    helpers: {
      unsubscribeUrl: () => (links?.unsubscribeUrl ? link(links.unsubscribeUrl) : ''),
      track: (url: unknown) => (typeof url === 'string' ? link(links ? links.track(url) : url) : ''),
      [LINK_HELPER]: (url: string) => link(links ? links.track(url) : url),
      [VALUE_HELPER]: (value: unknown) => (value === null || value === undefined || typeof value === 'object' ? '' : String(value)),
      log: () => '',
    },
  });
}

/**
 * Renders `source` with the lead's fields. Missing fields render as nothing. In 'html' mode every
 * value is HTML-escaped; in 'text' mode nothing is. With `links`, the links the template wrote
 * (never a URL inside a lead value) are tracked.
 */
export function renderTemplate(source: string, fields: TemplateFields, mode: TemplateMode, links?: TemplateLinks): string {
  return render(source, fields, mode, links, false);
}

/**
 * Campaign versions saved before templates were Handlebars may hold text Handlebars cannot parse:
 * those still render with the old `{{field}}` substitution, so a running lead keeps getting its email.
 */
export function renderTemplateOrLegacy(source: string, fields: TemplateFields, mode: TemplateMode, links?: TemplateLinks): string {
  return renderOrLegacy(source, fields, mode, links, false);
}

/** A plain-text body whose template links are marked (link-marks.ts), for textToHtml; stripMarks gives the text. */
export function renderMarkedTextOrLegacy(source: string, fields: TemplateFields, links?: TemplateLinks): string {
  return renderOrLegacy(source, fields, 'text', links, true);
}

function renderOrLegacy(source: string, fields: TemplateFields, mode: TemplateMode, links: TemplateLinks | undefined, marked: boolean): string {
  try {
    return render(source, fields, mode, links, marked);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return renderLegacy(source, fields, mode, links, marked);
  }
}

const LEGACY_FIELD = /\{\{\s*([a-zA-Z_][\w]*)\s*\}\}/g;

/** The old substitution, with the same link rule: only links in the template's own text are tracked. */
function renderLegacy(source: string, fields: TemplateFields, mode: TemplateMode, links: TemplateLinks | undefined, marked: boolean): string {
  const parts = source.split(LEGACY_FIELD);
  const track = (url: string) => (links ? links.track(url) : url);
  let out = '';
  for (const [i, part] of parts.entries()) {
    if (i % 2 === 1) {
      const value = Object.prototype.hasOwnProperty.call(fields, part) ? fields[part] : undefined;
      const text = value === null || value === undefined ? '' : stripMarks(String(value));
      out += mode === 'html' ? escapeHtml(text) : text;
      continue;
    }
    const text = stripMarks(part);
    if (mode === 'html') {
      out += rewriteHrefs(text, track);
      continue;
    }
    let from = 0;
    for (const f of urlsInText(text, i + 1 < parts.length)) {
      const tracked = track(f.url);
      out += text.slice(from, f.start) + (marked ? markLink(tracked) : tracked);
      from = f.end;
    }
    out += text.slice(from);
  }
  return out;
}
