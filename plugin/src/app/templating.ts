/*
 * Fields that may hold dashboard variables, checked after interpolation: an error names the field, and for a
 * variable also the variable and the value it had, so a panel says which dashboard choice is wrong.
 */

/** Replaces variables in a text; `format` as Grafana's TemplateSrv takes it (csv: a multi-value joined). */
export type Replace = (text: string, format?: string) => string;

const VARIABLE = /\$\{?\w+|\[\[\w+/;

function notAccepted(field: string, raw: string, value: string, accepted: string): Error {
  if (!VARIABLE.test(raw)) {
    return new Error(`${field}: "${value}", expected ${accepted}`);
  }
  // A variable left as it was is not defined on this dashboard (or has no value).
  const what = raw.trim() === value ? `${raw} is not a dashboard variable with a value` : `${raw} is "${value}"`;
  return new Error(`${field}: ${what}, expected ${accepted}`);
}

/** One of `accepted` (case-insensitive), from a field that may be a variable; `fallback` when empty. */
export function templatedChoice<T extends string>(
  field: string,
  raw: string | undefined,
  options: ChoiceOptions<T>
): T {
  const [only, ...more] = templatedChoices(field, raw, options);
  if (more.length > 0) {
    throw notAccepted(field, raw ?? '', [only, ...more].join(','), acceptedText(options));
  }
  return only ?? options.fallback;
}

interface ChoiceOptions<T extends string> {
  replace: Replace;
  accepted: readonly T[];
  fallback: T;
  /** Old names read as their new ones. */
  renamed?: Readonly<Record<string, T>>;
  /** A value the caller handles itself (`auto`), named among the accepted ones in an error. */
  extra?: string;
}

function acceptedText(options: ChoiceOptions<string>): string {
  return `one of ${[...(options.extra ? [options.extra] : []), ...options.accepted].join(', ')}`;
}

/**
 * Every value of a field that may be a multi-value variable (`$metric` with users and logins selected),
 * each one of `accepted`; old names are read as their new ones (`renamed`); `fallback` when empty.
 */
export function templatedChoices<T extends string>(
  field: string,
  raw: string | undefined,
  options: ChoiceOptions<T>
): T[] {
  const text = options.replace(raw ?? '', 'csv');
  const values = text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const out: T[] = [];
  for (const value of values) {
    const lower = value.toLowerCase();
    const found = options.renamed?.[lower] ?? options.accepted.find((a) => a === lower);
    if (!found) {
      throw notAccepted(field, raw ?? '', value, acceptedText(options));
    }
    if (!out.includes(found)) {
      out.push(found);
    }
  }
  return out.length > 0 ? out : [options.fallback];
}

/** An integer in [min, max] from a number or a text that may be a variable; undefined when empty. */
export function templatedInteger(
  field: string,
  raw: number | string | undefined,
  options: { replace: Replace; min: number; max: number }
): number | undefined {
  if (raw === undefined || raw === '') {
    return undefined;
  }
  const text = typeof raw === 'number' ? String(raw) : options.replace(raw).trim();
  const value = Number(text);
  if (text === '' || !Number.isInteger(value) || value < options.min || value > options.max) {
    throw notAccepted(field, String(raw), text, `an integer from ${options.min} to ${options.max}`);
  }
  return value;
}
