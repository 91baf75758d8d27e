/**
 * The `users` field of a query after interpolation. Grafana's dashboards run on @grafana/scenes, where a
 * multi-value variable at "All" with an empty `allValue` expands to every option it lists
 * (scenes: packages/scenes/src/variables/variants/MultiValueVariable.ts, `getValue()`), so the data source
 * would receive a filter of every known name instead of no filter. Its text format is "All" in both the
 * scenes and the legacy engine (`getValueText()` / ALL_VARIABLE_TEXT), which is how "All" is recognised here.
 */
export type UserFilter = string[] | undefined;

/** Values that stand for everybody: Grafana's all-value, and `*` as a custom allValue. */
const EVERYBODY = new Set(['$__all', '*']);
const ALL_TEXT = 'All';
/** `$name`, `${name}`, `${name:format}` or `[[name]]`: an entry that is exactly one variable. */
const SOLE_VARIABLE = /^(?:\$(\w+)|\$\{(\w+)(?::[\w:]+)?\}|\[\[(\w+)(?::\w+)?\]\])$/;

export interface Interpolation {
  /** The entry with variables replaced, multi-values comma-separated. */
  interpolate(text: string): string;
  /** Whether the variable `name` is at "All". */
  isAllSelected(name: string): boolean;
}

/** "All" is selected when the variable's text is "All" but its values are not the single name "All". */
export function allSelectedProbe(replace: (text: string, format: string) => string): (name: string) => boolean {
  return (name) => replace(`\${${name}:text}`, 'text') === ALL_TEXT && replace(`\${${name}:csv}`, 'csv') !== ALL_TEXT;
}

/** The distinct user names to filter by, or undefined for everybody (no entry, or "All" anywhere). */
export function userFilter(entries: readonly string[] | undefined, interpolation: Interpolation): UserFilter {
  const names: string[] = [];
  for (const entry of entries ?? []) {
    const sole = SOLE_VARIABLE.exec(entry.trim());
    const variable = sole?.[1] ?? sole?.[2] ?? sole?.[3];
    if (variable !== undefined && interpolation.isAllSelected(variable)) {
      return undefined;
    }
    for (const value of interpolation.interpolate(entry).split(',')) {
      const name = value.trim();
      if (EVERYBODY.has(name)) {
        return undefined;
      }
      if (name !== '' && !names.includes(name)) {
        names.push(name);
      }
    }
  }
  return names.length > 0 ? names : undefined;
}
