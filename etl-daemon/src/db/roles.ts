import type { Collection, Document } from 'mongodb';
import type { GroupEntry, Membership, RoleRecord, UserEntry } from '../etl/role-membership';
import { timeLimit } from './deployment';

/*
 * core4's sys.role, read, and the membership expanded from it, stored beside home.login so that every process
 * (replicas included) applies the same groups as of the same read:
 * - home.login.role: one document `{name: 'membership'}` naming the current set of parts, its digest, when it
 *   was read from sys.role (`readAt`) and last found unchanged (`checkedAt`), and the groups;
 * - home.login.role.part: the set's users (with their expanded groups), USERS_PER_PART to a document.
 * A new set is written as days are: parts under a new id first, then the switch of the header (fenced, so a
 * runner that lost its lease cannot switch), then the other sets' parts deleted. A reader that finds fewer
 * parts than the header names reads again on its next refresh.
 */

/** The header: which set of parts is current, and what it holds. */
export interface MembershipDoc {
  name: 'membership';
  set: string;
  parts: number;
  users: number;
  groups: GroupEntry[];
  digest: string;
  /** `db.collection` read. */
  source: string;
  /** The MongoDB server's time of the read that produced this set. */
  readAt: Date;
  /** The server's time of the latest read that found sys.role expanding to the same membership. */
  checkedAt: Date;
  fence: number;
}

export interface MembershipPartDoc {
  set: string;
  part: number;
  fence: number;
  users: UserEntry[];
}

/** 2,000 users of about 200 bytes each: documents far below MongoDB's 16 MiB limit. */
const USERS_PER_PART = 2_000;

const notAfter = (fence: number) => ({ $not: { $gt: fence } });

/**
 * Every role of sys.role as RoleRecords. Users are found by a query on the existence of `email` and
 * `password` (core4's `is_user`: both not None), so neither value is ever read.
 */
export async function readSysRole(sysRole: Collection<Document>): Promise<RoleRecord[]> {
  const users = await sysRole
    .find(
      { email: { $ne: null }, password: { $ne: null } },
      { projection: { _id: 1 }, ...timeLimit(sysRole) }
    )
    .toArray();
  const userIds = new Set(users.map((u) => String(u._id)));
  const docs = await sysRole
    .find(
      {},
      {
        projection: { _id: 1, name: 1, realname: 1, is_active: 1, created: 1, last_login: 1, role: 1 },
        ...timeLimit(sysRole),
      }
    )
    .toArray();
  return docs
    .filter((d) => typeof d.name === 'string' && d.name !== '')
    .map((d) => ({
      id: String(d._id),
      name: d.name as string,
      realname: typeof d.realname === 'string' ? d.realname : null,
      // core4's fields default to None (role/field.py `Field.default`), and `if role.is_active` is then false.
      isActive: d.is_active === true,
      isUser: userIds.has(String(d._id)),
      created: d.created instanceof Date ? d.created : null,
      lastLogin: d.last_login instanceof Date ? d.last_login : null,
      roles: Array.isArray(d.role) ? d.role.map((id: unknown) => String(id)) : [],
    }));
}

export async function readMembershipHeader(col: Collection<MembershipDoc>): Promise<MembershipDoc | null> {
  return col.findOne({ name: 'membership' }, { projection: { _id: 0 }, ...timeLimit(col) });
}

/** The users of a set, or undefined when its parts are not all there (being replaced: read again later). */
export async function readMembershipUsers(
  parts: Collection<MembershipPartDoc>,
  header: MembershipDoc
): Promise<UserEntry[] | undefined> {
  const docs = await parts
    .find({ set: header.set }, { projection: { _id: 0 }, ...timeLimit(parts) })
    .sort({ part: 1 })
    .toArray();
  if (docs.length !== header.parts) return undefined;
  return docs.flatMap((d) => d.users);
}

export interface MembershipWrite {
  set: string;
  fence: number;
  digest: string;
  source: string;
  now: Date;
}

/** Another lease holder switched the membership after this one's fence: nothing of this write is current. */
export class MembershipFencedError extends Error {
  override name = 'MembershipFencedError';
  constructor() {
    super('the membership was switched by a later lease holder; this run leaves it alone');
  }
}

function emptyHeader(write: MembershipWrite): MembershipDoc {
  const { source, now } = write;
  return {
    name: 'membership',
    set: '',
    parts: 0,
    users: 0,
    groups: [],
    digest: '',
    source,
    readAt: now,
    checkedAt: now,
    fence: 0,
  };
}

/** Writes a new set and switches the header to it; then deletes the other sets' parts. */
export async function storeMembership(
  cols: { role: Collection<MembershipDoc>; roleParts: Collection<MembershipPartDoc> },
  membership: Membership,
  write: MembershipWrite
): Promise<void> {
  const { set, fence, now } = write;
  const parts: MembershipPartDoc[] = [];
  for (let i = 0; i * USERS_PER_PART < membership.users.length || i === 0; i += 1) {
    parts.push({
      set,
      part: i,
      fence,
      users: membership.users.slice(i * USERS_PER_PART, (i + 1) * USERS_PER_PART),
    });
  }
  await cols.roleParts.insertMany(parts);
  // The header is created empty first (as day documents are), so the fenced switch never needs an upsert.
  await cols.role.updateOne({ name: 'membership' }, { $setOnInsert: emptyHeader(write) }, { upsert: true });
  const switched = await cols.role.updateOne(
    { name: 'membership', fence: notAfter(fence) },
    {
      $set: {
        set,
        parts: parts.length,
        users: membership.users.length,
        groups: membership.groups,
        digest: write.digest,
        source: write.source,
        readAt: now,
        checkedAt: now,
        fence,
      },
    }
  );
  if (switched.matchedCount !== 1) throw new MembershipFencedError();
  await cols.roleParts.deleteMany({ set: { $ne: set }, fence: notAfter(fence) });
}

/** Records that sys.role still expands to the stored set (its digest): the header's `checkedAt` moves. */
export async function confirmMembership(
  role: Collection<MembershipDoc>,
  confirm: { digest: string; fence: number; now: Date }
): Promise<boolean> {
  const moved = await role.updateOne(
    { name: 'membership', digest: confirm.digest, fence: notAfter(confirm.fence) },
    { $set: { checkedAt: confirm.now, fence: confirm.fence } }
  );
  return moved.matchedCount === 1;
}
