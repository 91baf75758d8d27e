import type { Db } from 'mongodb';
import { DEFAULT_MONGO_SETTINGS } from './deployment';

/** Where a run's times come from: the MongoDB server in production, a fixed instant in tests. */
export type Clock = () => Promise<Date>;

/**
 * The MongoDB server's clock (`hello.localTime`, which mongod and mongos report). Every time that orders
 * writers (lease expiry, `writtenAt`, `dataUntil`, the loader's watermark) comes from here, so that hosts
 * whose own clocks differ still agree; the round trip (milliseconds) is far below any margin that uses it.
 */
export function serverClock(db: Db, maxTimeMS = DEFAULT_MONGO_SETTINGS.maxTimeMS): Clock {
  return async () => {
    const reply = await db.command({ hello: 1, maxTimeMS });
    const localTime: unknown = reply.localTime;
    if (!(localTime instanceof Date)) {
      throw new Error('the MongoDB server did not report its time (hello.localTime)');
    }
    return localTime;
  };
}
