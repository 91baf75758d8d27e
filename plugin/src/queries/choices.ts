import type { SelectableValue } from '@grafana/data';

/** The fixed choices, then the dashboard's variables; a value that is neither (typed) is shown as it is. */
export function choicesWith(
  fixed: Array<SelectableValue<string>>,
  variables: string[],
  current: string | undefined
): { options: Array<SelectableValue<string>>; value: SelectableValue<string> | undefined } {
  const options = [...fixed, ...variables.map((v) => ({ label: v, value: v, description: 'dashboard variable' }))];
  const value =
    current === undefined
      ? undefined
      : (options.find((o) => o.value === current) ?? { label: current, value: current });
  return { options, value };
}
