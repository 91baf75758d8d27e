import type { RoleDocText } from '../db/sys-role';
import { DAY_MS, HOUR_MS } from '../core/units';
import { seededRandom } from './random';
import { userName } from './generate-sys-log';

/**
 * core4's sys.role for the demo's users, as core4/api/v1/request/role/model.py stores roles: `name`,
 * `realname`, `is_active`, `created`, `updated`, `etag`, `role` (the `_id`s of the roles it is assigned to),
 * `perm`, and for users `email`, `password` (a hash) and `last_login`. Groups nest (engineering in staff,
 * data-science in engineering, …); one group is inactive, so core4's `casc_role()` neither keeps it nor
 * follows it to the group it belongs to; a few users are inactive, and some never log in.
 */
export interface SysRoleDoc extends RoleDocText {
  name: string;
  realname: string;
  is_active: boolean;
  created: Date;
  updated: Date;
  perm: string[];
  email?: string;
  password?: string;
  last_login?: Date;
}

/** The demo's groups: name, realname, the groups it belongs to, and whether it is active. */
const GROUPS: readonly { name: string; realname: string; in: readonly string[]; active: boolean }[] = [
  { name: 'staff', realname: 'All staff', in: [], active: true },
  { name: 'engineering', realname: 'Engineering', in: ['staff'], active: true },
  { name: 'data-science', realname: 'Data science', in: ['engineering'], active: true },
  { name: 'marketing', realname: 'Marketing', in: ['staff'], active: true },
  { name: 'mkt-analysts', realname: 'Marketing analysts', in: ['marketing'], active: true },
  { name: 'finance', realname: 'Finance', in: ['staff'], active: true },
  { name: 'fin-controllers', realname: 'Controlling', in: ['finance'], active: true },
  { name: 'hr', realname: 'Human resources', in: ['staff'], active: true },
  { name: 'managers', realname: 'Managers', in: [], active: true },
  // Retired: its members keep the role in sys.role, but casc_role() skips it and does not walk to `staff`.
  { name: 'legacy-reports', realname: 'Legacy reporting (retired)', in: ['staff'], active: false },
];
/** Where users are placed: one team each, some also managers or in the retired group. */
const TEAMS = [
  'engineering',
  'data-science',
  'marketing',
  'mkt-analysts',
  'finance',
  'fin-controllers',
  'hr',
];

const FIRST = [
  'Amy',
  'Ben',
  'Chloe',
  'David',
  'Eva',
  'Farid',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Kira',
  'Luca',
];
const LAST = ['Meyer', 'Novak', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Sato', 'Tanaka', 'Ulrich', 'Vega'];

/** A deterministic ObjectId (12 bytes, as hex) for the demo's i-th role. */
function roleId(i: number): string {
  return `64e0c0de${String(i).padStart(16, '0')}`;
}

export interface SysRoleOptions {
  /** Users of the demo's sys.log (userName(0) … userName(users - 1)). */
  users: number;
  seed: number;
  /** The demo's first day: users joining then were created before it. */
  firstDay: Date;
  /** Each user's last password login (the time of their last `set [last_login]` line). */
  lastLogins: ReadonlyMap<string, Date>;
}

/**
 * The demo's sys.role: every group, every user of the log, and 3 % more users who never log in. Roles of
 * users are drawn from their own random stream: the same seed, the same roles.
 */
export function generateSysRole(options: SysRoleOptions): SysRoleDoc[] {
  const random = seededRandom(options.seed + 7_919);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const ids = new Map(GROUPS.map((g, i) => [g.name, roleId(i)]));
  const first = options.firstDay.getTime();
  const groupCreated = new Date(first - 400 * DAY_MS);
  const docs: SysRoleDoc[] = GROUPS.map((g, i) => ({
    _id: roleId(i),
    name: g.name,
    realname: g.realname,
    is_active: g.active,
    created: groupCreated,
    updated: groupCreated,
    etag: roleId(1_000 + i),
    role: g.in.map((name) => ids.get(name) as string),
    perm: [`api://${g.name}.*`],
  }));
  const total = options.users + Math.ceil(options.users * 0.03);
  for (let u = 0; u < total; u += 1) {
    const name = userName(u);
    const team = pick(TEAMS);
    const roles = [
      team,
      ...(random() < 0.1 ? ['managers'] : []),
      ...(random() < 0.05 ? ['legacy-reports'] : []),
    ];
    const lastLogin = options.lastLogins.get(name);
    const created = new Date(first - Math.floor(random() * 300) * DAY_MS + 9 * HOUR_MS);
    docs.push({
      _id: roleId(10_000 + u),
      name,
      realname: `${pick(FIRST)} ${pick(LAST)}`,
      // A few people have left: their role stays, inactive (they can no longer log in).
      is_active: random() >= 0.04,
      created,
      updated: created,
      etag: roleId(100_000 + u),
      role: roles.map((r) => ids.get(r) as string),
      perm: [],
      email: `${name}@example.com`,
      // A placeholder in the shape of core4's passlib hash (core4/util/crypt.py): never a real password.
      password: `$pbkdf2-sha256$29000$demo$${name}`,
      ...(lastLogin ? { last_login: lastLogin } : {}),
    });
  }
  return docs;
}
