import { QueryError } from '../errors';
import type { ApiContext, ApiSource } from './context';

/** Every source of the context, the first being the default. */
export function sourcesOf(ctx: ApiContext): ApiSource[] {
  return (
    ctx.sources ?? [
      {
        name: 'default',
        cols: ctx.cols,
        sync: ctx.sync,
        runner: ctx.runner,
        canonicalNames: ctx.canonicalNames ?? true,
      },
    ]
  );
}

/** The source a request names (`source=`), the first without one; a 400 naming the configured ones. */
export function sourceOf(ctx: ApiContext, name: string | undefined): ApiSource {
  const all = sourcesOf(ctx);
  if (name === undefined) return all[0] as ApiSource;
  const found = all.find((s) => s.name === name);
  if (!found)
    throw new QueryError('source', name, `one of ${all.map((s) => s.name).join(', ')} (USAGE_SOURCE)`);
  return found;
}

/** The context as the source a request names sees it: its collections, index, runner and names. */
export function scoped(ctx: ApiContext, name: string | undefined): ApiContext {
  const source = sourceOf(ctx, name);
  return {
    ...ctx,
    cols: source.cols,
    sync: source.sync,
    runner: source.runner,
    canonicalNames: source.canonicalNames,
  };
}
