import { VARIABLES } from '../config/config';

export const USAGE = `core4-usage: unique logins per interval from core4's sys.log

Usage:
  core4-usage serve                       scheduler and HTTP API (embedded MongoDB with demo data
                                          when MONGODB_URI is unset)
  core4-usage run [--start ISO] [--end ISO] [--reset]
                                          one run now; resumes from the checkpoint without --start
  core4-usage summarize                   writes the slot summaries of days stored before they existed
                                          (from their chunks; start-up then reads summaries only)
  core4-usage demo-data --days N --users N [--per-day N] [--seed N] [--if-empty]
                                          writes realistic sys.log documents to USAGE_SYS_LOG
                                          (--if-empty: only when it holds no documents yet)
  core4-usage --help

Exit codes: 0 success, 1 failure, 2 bad arguments or configuration, 75 skipped (another runner holds the lease).`;

export function helpText(): string {
  const width = Math.max(...VARIABLES.map((v) => v.name.length));
  const rows = VARIABLES.map(
    (v) => `  ${v.name.padEnd(width)}  ${v.description}${v.default === '' ? '' : ` (default: ${v.default})`}`
  );
  return `${USAGE}\n\nEnvironment:\n${rows.join('\n')}\n`;
}
