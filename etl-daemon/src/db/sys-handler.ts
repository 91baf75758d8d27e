import type { Collection, Document } from 'mongodb';
import { timeLimit } from './deployment';

/**
 * Handler titles from core4's handler registry. core4/api/v1/tool/serve.py (`CoreApiServerTool.register`)
 * writes one document per serving host, port and resource id at every server start, with the handler's
 * `qual_name`, `title`, `subtitle`, `project` and `container` (its routes); `started_at` is null once the
 * server has stopped (`reset_handler`). A qual_name served by several hosts has several documents: the
 * title of the latest started wins.
 */
export async function readHandlerTitles(sysHandler: Collection<Document>): Promise<Map<string, string>> {
  const docs = await sysHandler
    .find(
      { qual_name: { $type: 'string' }, title: { $type: 'string' } },
      { projection: { _id: 0, qual_name: 1, title: 1, started_at: 1 }, ...timeLimit(sysHandler) }
    )
    .sort({ started_at: 1 })
    .toArray();
  const titles = new Map<string, string>();
  for (const doc of docs) titles.set(doc.qual_name as string, doc.title as string);
  return titles;
}

/** Writes handler documents into an empty sys.handler (one that holds any is left alone); returns how many. */
export async function insertHandlersIfEmpty(
  sysHandler: Collection<Document>,
  docs: readonly Document[]
): Promise<number> {
  if ((await sysHandler.countDocuments({}, { limit: 1 })) > 0) return 0;
  await sysHandler.insertMany(docs.map((d) => ({ ...d })));
  return docs.length;
}
