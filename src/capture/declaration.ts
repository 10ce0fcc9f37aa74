import { createHash } from 'node:crypto';
import { EventLogValidationError } from '../errors.js';
import { DEFAULT_EXCLUDED_KEYS } from '../service/diff.js';
import { DEFAULT_MASKED_KEYS, normalizeMaskKey } from '../service/mask.js';
import { CAPTURE_SQL_VERSION } from './shared-sql.js';

/** How the database captures the changes of one model. */
export interface EventLogCaptureModel<RelationName extends string = string> {
  /** The tool of entries written for this model when the context names none. */
  tool: string;
  /** Fields left out of diffs, added to `DEFAULT_EXCLUDED_KEYS`. @default [] */
  exclude?: readonly string[];
  /** Fields masked in diffs and messages, added to the declaration's `maskedKeys`. @default [] */
  mask?: readonly string[];
  /**
   * List relations whose rows belong to this object's state: a change to one of them is
   * part of the parent's entry, as `items.{id}`, e.g. `fold: ['items']`. The foreign key
   * back to the parent is left out of the child's diff. @default []
   */
  fold?: readonly RelationName[];
}

/** Which models the database audits, and how: one declaration for the SQL and the plugin. */
export interface EventLogCaptureDeclaration<Models extends string = string> {
  models: { readonly [Model in Models]?: EventLogCaptureModel };
  /** Keys masked in every audited model, added to `DEFAULT_MASKED_KEYS`. @default [] */
  maskedKeys?: readonly string[];
  /** The tool of entries written without a context (psql, scripts, other services). @default 'database' */
  unattributedTool?: string;
}

/** A declaration checked and completed with its defaults. */
export interface ResolvedCaptureDeclaration {
  readonly models: ReadonlyMap<string, ResolvedCaptureModel>;
  readonly unattributedTool: string;
}

export interface ResolvedCaptureModel {
  readonly model: string;
  readonly tool: string;
  /** Every excluded key: the defaults and the model's. */
  readonly excluded: readonly string[];
  /** Every masked key, normalized (lower case, no `_` or `-`). */
  readonly masked: readonly string[];
  readonly fold: readonly string[];
  readonly unattributedTool: string;
  /** The trigger functions installed for the model: its own, then one per folded relation. */
  readonly functions: readonly string[];
  /** What the installed trigger function's comment must say (see `captureSignature`). */
  readonly signature: string;
}

const declarations = new WeakMap<object, ResolvedCaptureDeclaration>();

/**
 * Declares which models the database audits. Pass the result to the plugin's `capture`
 * option and to `pothos-eventlog` migration generation, so both read the same declaration.
 * @example defineEventLogCapture({ models: { Certificate: { tool: 'certificate', fold: ['items'] } } })
 */
export function defineEventLogCapture<const Declaration extends EventLogCaptureDeclaration>(
  declaration: Declaration,
): Declaration {
  resolveCaptureDeclaration(declaration);
  return declaration;
}

export function resolveCaptureDeclaration(
  declaration: EventLogCaptureDeclaration,
): ResolvedCaptureDeclaration {
  const cached = declarations.get(declaration);
  if (cached) return cached;
  if (typeof declaration !== 'object' || declaration === null) {
    throw captureError(
      'The capture declaration must be an object: { models: { Model: { tool } } }.',
    );
  }
  if (typeof declaration.models !== 'object' || declaration.models === null) {
    throw captureError(
      'The capture declaration needs `models`, e.g. { models: { Certificate: { tool: "certificate" } } }.',
    );
  }
  const globalMasks = stringList(declaration.maskedKeys, 'maskedKeys');
  const unattributedTool = declaration.unattributedTool ?? 'database';
  checkName(unattributedTool, 'unattributedTool');
  const models = new Map<string, ResolvedCaptureModel>();
  for (const [model, options] of Object.entries(declaration.models)) {
    if (!options) continue;
    if (model === 'EventLog') {
      throw captureError('The EventLog model cannot be audited: its own rows are the audit trail.');
    }
    const where = `models.${model}`;
    if (typeof options !== 'object') throw captureError(`${where} must be an object with a tool.`);
    checkName(options.tool, `${where}.tool`);
    const excluded = [
      ...new Set([...DEFAULT_EXCLUDED_KEYS, ...stringList(options.exclude, `${where}.exclude`)]),
    ];
    const masked = [
      ...new Set(
        [...DEFAULT_MASKED_KEYS, ...globalMasks, ...stringList(options.mask, `${where}.mask`)].map(
          normalizeMaskKey,
        ),
      ),
    ].sort();
    const fold = stringList(options.fold, `${where}.fold`);
    const resolved = { model, tool: options.tool, excluded, masked, fold, unattributedTool };
    const functions = [
      `eventlog_capture_${snake(model)}`,
      ...fold.map((relation) => foldFunctionName(model, relation)),
    ];
    models.set(
      model,
      Object.freeze({ ...resolved, functions, signature: captureSignature(resolved) }),
    );
  }
  const result = Object.freeze({ models, unattributedTool });
  declarations.set(declaration, result);
  return result;
}

/**
 * `pothos-eventlog v<sql version> <hash of the model's declaration>`: the comment of each
 * installed capture function, which the start-up check compares with the declaration.
 */
function captureSignature(model: object): string {
  const hash = createHash('sha256').update(JSON.stringify(model)).digest('hex').slice(0, 16);
  return `pothos-eventlog v${CAPTURE_SQL_VERSION} ${hash}`;
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw captureError(`${where} must be an array of non-empty strings.`);
  }
  return [...value];
}

function checkName(value: unknown, where: string) {
  if (typeof value !== 'string' || value.length === 0 || value.length > 100) {
    throw captureError(`${where} must be a string of 1 to 100 characters.`);
  }
}

/** A capture declaration (or the schema it is generated against) that cannot work. */
export function captureError(message: string): EventLogValidationError {
  return new EventLogValidationError(`pothos-eventlog capture: ${message}`, 'capture');
}

export function foldFunctionName(model: string, relation: string): string {
  return `eventlog_fold_${snake(model)}_${snake(relation)}`;
}

/** `CertificateItem` → `certificate_item`, cut with a hash where PostgreSQL's 63 bytes would. */
export function snake(name: string): string {
  const base = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  if (base.length <= 20) return base;
  return `${base.slice(0, 11)}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}
