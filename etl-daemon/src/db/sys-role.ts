import type { Collection, Document } from 'mongodb';
import { ObjectId } from 'mongodb';

/** A sys.role document with its ids as 24-digit hex text (core4 stores ObjectIds: see insertRolesIfEmpty). */
export interface RoleDocText {
  _id: string;
  etag: string;
  /** `_id`s of the roles it is assigned to. */
  role: string[];
  [field: string]: unknown;
}

/**
 * Writes roles into an empty sys.role (a collection that holds any role is left alone, as demo-data's
 * --if-empty leaves sys.log), with `_id`, `etag` and `role` as the ObjectIds core4 stores
 * (core4/api/v1/request/role/model.py). Returns how many were written.
 */
export async function insertRolesIfEmpty(
  sysRole: Collection<Document>,
  roles: readonly RoleDocText[]
): Promise<number> {
  if ((await sysRole.countDocuments({}, { limit: 1 })) > 0) return 0;
  await sysRole.insertMany(
    roles.map((r) => ({
      ...r,
      _id: new ObjectId(r._id),
      etag: new ObjectId(r.etag),
      role: r.role.map((id) => new ObjectId(id)),
    }))
  );
  return roles.length;
}
