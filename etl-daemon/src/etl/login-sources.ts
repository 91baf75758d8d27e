/**
 * Which sys.log lines are logins: named presets for what core4 really writes, and the seed's convention.
 *
 * The core4 lines are quoted from core4's source (plan-net/core4, release 1.0.10):
 * - core4/api/v1/request/role/model.py, `CoreRole.login()`, after every successful password login:
 *     self.logger.info("set [last_login] for role [%s] with _id [%s]", self.name, self._id)
 *   INFO, the role's canonical name, from the role model's logger (qual_name
 *   `core4.api.v1.request.role.model.CoreRole`: module and class, core4/base/main.py `qual_name`).
 * - core4/api/v1/request/main.py, `verify_user()`, every request authenticated by a token:
 *     self.logger.debug("successfully loaded [%s] by [%s] from [%s] expiring [%s]", user.name, *source, ...)
 *   DEBUG, canonical name, `source` = ("token", "Auth Bearer" | "args" | "cookie"), qual_name = the handler.
 * - same function, password login: the same DEBUG text with `username` = re.compile(typed, re.IGNORECASE),
 *   so the name appears as `re.compile('Amy', re.IGNORECASE)`; no preset reads that line (see unwrap below).
 * - core4/api/v1/application.py, `CoreApplication._log` (Tornado's `log_function`), after every request:
 *     meth("[%d] [%s %s] in [%.2fms] by [%s] from [%s]",
 *          handler.get_status(), handler.request.method, handler.request.path, request_time,
 *          handler.current_user, self.identifier, extra={"identifier": identifier})
 *   `meth` is the handler logger's `info` below status 400, `warning` for 4xx and `error` for 5xx;
 *   `current_user` is the role's canonical name (request/main.py, `verify_user`) or `None` when the request
 *   was not authenticated; `from [...]` names the serving container, not the client. qual_name = the handler.
 * Role names match core4's USERNAME pattern `^[^\s]+$` (model.py): no white space, so `\S+` is the name.
 */

export const SOURCE_NAMES = ['core4-logins', 'core4-active', 'core4-requests', 'seed'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** One kind of line that is a login: a message pattern, optionally one logger, and where the name is. */
export interface LoginRule {
  /** Matched against `message` as `$regex` on the server and again here; `(?<user>…)` takes the name. */
  message: RegExp;
  /** Only lines of this logger (`qual_name`), when set. */
  qualName?: string | undefined;
  /** Field with the name when `message` has no `user` group. */
  userField?: string | undefined;
}

export interface LoginSource {
  name: SourceName | 'custom';
  rules: LoginRule[];
}

export const CORE4_ROLE_QUAL_NAME = 'core4.api.v1.request.role.model.CoreRole';

const LAST_LOGIN: LoginRule = {
  message: /^set \[last_login\] for role \[(?<user>\S+)\] with _id \[/,
  qualName: CORE4_ROLE_QUAL_NAME,
};
const TOKEN_REQUEST: LoginRule = {
  message: /^successfully loaded \[(?<user>\S+)\] by \[token\] from \[/,
};
/**
 * A request answered below 400 for an authenticated user: status 1xx-3xx, any method and raw path (a request
 * line's path holds no space), the time, and a name other than `None` (what `%s` makes of no user).
 */
const ACCESS: LoginRule = {
  message: /^\[[1-3]\d\d\] \[[A-Z]+ \S*\] in \[[\d.]+ms\] by \[(?!None\])(?<user>\S+)\] from \[/,
};
const SEED: LoginRule = { message: /successful login/, userField: 'user' };

export interface SourcePreset {
  rules: LoginRule[];
  /** The core4 logging level (`logging: mongodb:` in core4.yaml) the lines need. */
  level: 'INFO' | 'DEBUG';
  description: string;
}

export const SOURCE_PRESETS: Readonly<Record<SourceName, SourcePreset>> = {
  'core4-logins': {
    rules: [LAST_LOGIN],
    level: 'INFO',
    description: "core4's `set [last_login] for role [<name>]` line: one per password login, canonical name",
  },
  'core4-active': {
    rules: [LAST_LOGIN, TOKEN_REQUEST],
    level: 'DEBUG',
    description:
      'password logins plus every token-authenticated request (`successfully loaded [<name>] by [token]`): people active',
  },
  'core4-requests': {
    rules: [ACCESS],
    level: 'INFO',
    description:
      "every request an authenticated user made (core4's access line `[200] [GET /path] in [..ms] by [<name>]`, status below 400): people active at INFO",
  },
  seed: {
    rules: [SEED],
    level: 'INFO',
    description: "the original job's convention: message `successful login`, name in field `user`",
  },
};

/**
 * Whether a source's names are core4's canonical role names (sys.role `name`), as every core4 line the presets
 * read writes them; the seed's `user` field and a custom regex may hold anything.
 */
export function hasCanonicalNames(source: LoginSource): boolean {
  return source.name !== 'seed' && source.name !== 'custom';
}

export function presetSource(name: SourceName): LoginSource {
  return { name, rules: SOURCE_PRESETS[name].rules };
}

const userGroups = new WeakMap<RegExp, boolean>();

/** Does this rule take the name from the message? Asked for every sys.log document, so remembered per pattern. */
export function hasUserGroup(rule: LoginRule): boolean {
  let has = userGroups.get(rule.message);
  if (has === undefined) {
    has = /\(\?<user>/.test(rule.message.source);
    userGroups.set(rule.message, has);
  }
  return has;
}

/**
 * A stable text naming what a source selects, stored with each day: a day written under another selection
 * is re-read whole rather than extended.
 */
export function sourceKey(source: LoginSource, excludeUsers: readonly string[]): string {
  const rules = source.rules.map((r) => [
    r.message.source,
    r.message.flags,
    r.qualName ?? '',
    r.userField ?? '',
  ]);
  return JSON.stringify({ rules, exclude: [...excludeUsers].sort() });
}
