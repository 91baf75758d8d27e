/**
 * A stand-in for what Grafana's heatmap panel does with a frame typed `heatmap-rows`, ported (not copied) from
 * Grafana's sources, since no installed package ships it:
 * - grafana/grafana `public/app/features/transformers/calculateHeatmap/heatmap.ts` at commit
 *   03105324df4ca1fe4cceec337dd1ccbad8acc308, `rowsToCellsHeatmap`: the first field is X, every numeric field
 *   after it is a row (ordinal y = its index, labelled by its display name in `meta.custom.yOrdinalDisplay`), the
 *   rows are transposed into flat x/y/value arrays, and X is named `xMax` (the cell ends at that time);
 * - the heatmap panel's `prepareHeatmapData` (`public/app/plugins/panel/heatmap/fields.ts`): a frame whose
 *   `meta.type` is `heatmap-rows` goes to `rowsToCellsHeatmap` as it is; a cell named `xMax` is laid out `le`,
 *   its width the distance between the first two X values.
 */
import { type DataFrame, FieldType, getFieldDisplayName } from '@grafana/data';

export interface HeatmapCells {
  /** The cells, x-major: one per (row of X, numeric field). */
  xMax: number[];
  y: number[];
  value: Array<number | null>;
  /** Row labels, by ordinal y. */
  yOrdinalDisplay: string[];
  /** A cell spans (xMax - xBucketSize, xMax]. */
  xBucketSize: number;
}

/** What the heatmap panel draws from a `heatmap-rows` frame; undefined for any other frame (it would calculate). */
export function heatmapCellsOf(frame: DataFrame): HeatmapCells | undefined {
  if (frame.meta?.type !== 'heatmap-rows') {
    return undefined;
  }
  const [xField, ...rest] = frame.fields;
  if (!xField) {
    return undefined;
  }
  const rows = rest.filter((f) => f.type === FieldType.number);
  const xs: number[] = [];
  const ys: number[] = [];
  const values: Array<number | null> = [];
  for (let i = 0; i < xField.values.length; i++) {
    rows.forEach((row, y) => {
      xs.push(Number(xField.values[i]));
      ys.push(y);
      values.push((row.values[i] as number | null | undefined) ?? null);
    });
  }
  return {
    xMax: xs,
    y: ys,
    value: values,
    yOrdinalDisplay: rows.map((f) => getFieldDisplayName(f, frame)),
    xBucketSize: rows.length > 0 && xs.length > rows.length ? (xs[rows.length] as number) - (xs[0] as number) : 0,
  };
}
