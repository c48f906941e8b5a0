// Campaign templates (subjects, plain-text bodies, optional HTML bodies) as Handlebars templates.
// Checked when a campaign is saved (checkTemplate → the API answers 400 naming the step and the
// position) and rendered by the email activity. One isolated Handlebars environment: only the
// helpers below and the built-in block helpers (if, unless, each, with) exist, partials and
// decorators are refused, and prototype properties/methods of the data are never reachable.
import Handlebars from 'handlebars';

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

const env = Handlebars.create();
const knownHelpers = Object.fromEntries(TEMPLATE_HELPERS.map((h) => [h, true])) as Record<string, boolean>;
const compileOptions = (mode: TemplateMode): CompileOptions => ({
  // Plain text is never HTML-escaped; HTML always is (noEscape stays off).
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

/** The first problem of a template, or null when it compiles. */
export function checkTemplate(source: string, mode: TemplateMode = 'text'): TemplateProblem | null {
  try {
    compile(source, mode);
    return null;
  } catch (err) {
    if (err instanceof TemplateError) return err.problem;
    throw err;
  }
}

const cache = new Map<string, HandlebarsTemplateDelegate>();
const CACHE_SIZE = 500;

function compile(source: string, mode: TemplateMode): HandlebarsTemplateDelegate {
  const key = `${mode}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let template: HandlebarsTemplateDelegate;
  try {
    const ast = env.parse(source);
    new Unsupported().accept(ast);
    // precompile runs the compiler now (unknown helpers, mismatched blocks); compile alone is lazy.
    env.precompile(ast, compileOptions(mode));
    template = env.compile(ast, compileOptions(mode));
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(problemOf(err));
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, template);
  return template;
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

/**
 * Renders `source` with the lead's fields. Missing fields render as nothing. In 'html' mode every
 * value is HTML-escaped; in 'text' mode nothing is.
 */
export function renderTemplate(source: string, fields: TemplateFields, mode: TemplateMode, links?: TemplateLinks): string {
  const template = compile(source, mode);
  return template(fields, {
    ...RUNTIME_SAFETY,
    helpers: {
      unsubscribeUrl: () => links?.unsubscribeUrl ?? '',
      track: (url: unknown) => (typeof url === 'string' ? (links ? links.track(url) : url) : ''),
    },
  });
}

/**
 * Campaign versions saved before templates were Handlebars may hold text Handlebars cannot parse:
 * those still render with the old `{{field}}` substitution, so a running lead keeps getting its email.
 */
export function renderTemplateOrLegacy(source: string, fields: TemplateFields, mode: TemplateMode, links?: TemplateLinks): string {
  try {
    return renderTemplate(source, fields, mode, links);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return source.replace(/\{\{\s*([a-zA-Z_][\w]*)\s*\}\}/g, (_, name: string) => {
      const value = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
      return value === null || value === undefined ? '' : String(value);
    });
  }
}
