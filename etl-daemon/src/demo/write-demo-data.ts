import type { Collection, Document } from 'mongodb';
import { ensureCreatedIndex, insertInBatches } from '../db/sys-log';
import { insertRolesIfEmpty } from '../db/sys-role';
import { insertHandlersIfEmpty } from '../db/sys-handler';
import { generateSysHandler } from './generate-sys-handler';
import { CORE4_ROLE_QUAL_NAME } from '../etl/login-sources';
import { addUtcDays, startOfUtcDay } from '../time/utc-day';
import type { DemoOptions, SysLogDoc } from './generate-sys-log';
import { generateSysLog } from './generate-sys-log';
import { generateSysRole } from './generate-sys-role';

const LAST_LOGIN = /^set \[last_login\] for role \[(\S+)\]/;

/** Each user's latest `set [last_login]` line in `docs`, into `lastLogins` (what sys.role's last_login says). */
function noteLastLogins(docs: readonly SysLogDoc[], lastLogins: Map<string, Date>): void {
  for (const doc of docs) {
    if (doc.qual_name !== CORE4_ROLE_QUAL_NAME) continue;
    const name = LAST_LOGIN.exec(doc.message)?.[1];
    if (name) lastLogins.set(name, doc.created);
  }
}

/**
 * Inserts generated sys.log documents day by day and ensures core4's `created` index; then, given a sys.role
 * collection (empty, or it is left alone), its roles for the same users, and given sys.handler (empty, or left
 * alone), the demo apps' registrations. Returns the sys.log documents written.
 */
export async function writeDemoData(
  sysLog: Collection<Document>,
  options: DemoOptions,
  onDay: (written: number) => void = () => undefined,
  core4: { sysRole?: Collection<Document> | undefined; sysHandler?: Collection<Document> | undefined } = {}
): Promise<number> {
  const { sysRole, sysHandler } = core4;
  await ensureCreatedIndex(sysLog);
  let written = 0;
  const lastLogins = new Map<string, Date>();
  for (const docs of generateSysLog(options)) {
    await insertInBatches(sysLog, docs);
    noteLastLogins(docs, lastLogins);
    written += docs.length;
    onDay(written);
  }
  if (sysRole) {
    const lastDay = startOfUtcDay(new Date(options.end.getTime() - 1));
    const firstDay = addUtcDays(lastDay, -(options.days - 1));
    await insertRolesIfEmpty(sysRole, generateSysRole({ ...options, firstDay, lastLogins }));
  }
  if (sysHandler) await insertHandlersIfEmpty(sysHandler, generateSysHandler(options.end));
  return written;
}
