/** A MongoDB `database.collection` address. Collection names may contain dots (`core4.sys.log`). */
export interface Namespace {
  db: string;
  collection: string;
}

const DB_NAME = /^[A-Za-z0-9_-]{1,63}$/;
const COLLECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,119}$/;

/** Parses `db.collection`; returns an error text naming what is accepted. */
export function parseNamespace(value: string): Namespace | string {
  const dot = value.indexOf('.');
  const db = dot > 0 ? value.slice(0, dot) : '';
  const collection = dot > 0 ? value.slice(dot + 1) : '';
  if (!DB_NAME.test(db) || !COLLECTION_NAME.test(collection) || collection.startsWith('system.')) {
    return `'${value}' is not a 'database.collection' name (letters, digits, '_', '-', and dots after the first)`;
  }
  return { db, collection };
}

export function formatNamespace(ns: Namespace): string {
  return `${ns.db}.${ns.collection}`;
}
