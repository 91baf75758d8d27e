/**
 * What Grafana does to a panel's frames before drawing them: the panel's field config (defaults set in the
 * panel editor, then overrides) applied by @grafana/data's own `applyFieldOverrides`, with the standard
 * options registered as Grafana registers them at boot (`getAllStandardFieldConfigs` in grafana/grafana
 * `public/app/core/components/OptionsUI/registry.tsx` at commit 05b8f1931d94dd5f059267e13ea510e7d22726be: same
 * ids, paths, processors and `shouldApply`; the editors, which only the panel editor's UI uses, are left out).
 * Only the options this plugin's frames could collide with are registered: display name, unit, decimals,
 * min and max.
 */
import {
  type DataFrame,
  type Field,
  type FieldConfigPropertyItem,
  type FieldConfigSource,
  FieldConfigOptionsRegistry,
  FieldType,
  applyFieldOverrides,
  createTheme,
  displayNameOverrideProcessor,
  numberOverrideProcessor,
  stringOverrideProcessor,
} from '@grafana/data';

const noEditor = () => null;

function standardOptions(): FieldConfigOptionsRegistry {
  const category = ['Standard options'];
  type Item = FieldConfigPropertyItem<object, unknown, object>;
  const numbers = (field: Field) => field.type === FieldType.number;
  const items: Item[] = [
    { id: 'unit', path: 'unit', name: 'Unit', process: stringOverrideProcessor, shouldApply: () => true },
    {
      id: 'min',
      path: 'min',
      name: 'Min',
      process: numberOverrideProcessor,
      shouldApply: numbers,
    },
    {
      id: 'max',
      path: 'max',
      name: 'Max',
      process: numberOverrideProcessor,
      shouldApply: numbers,
    },
    {
      id: 'decimals',
      path: 'decimals',
      name: 'Decimals',
      process: numberOverrideProcessor,
      shouldApply: numbers,
    },
    {
      id: 'displayName',
      path: 'displayName',
      name: 'Display name',
      process: displayNameOverrideProcessor,
      shouldApply: () => true,
    },
  ].map((item) => ({ ...item, category, editor: noEditor, override: noEditor }) as Item);
  return new FieldConfigOptionsRegistry(() => items);
}

/** The frames as a panel with this field config shows them (variables left as they are). */
export function processFieldConfig(data: DataFrame[], fieldConfig: FieldConfigSource): DataFrame[] {
  return applyFieldOverrides({
    data,
    fieldConfig,
    fieldConfigRegistry: standardOptions(),
    replaceVariables: (text) => text,
    theme: createTheme(),
  });
}
