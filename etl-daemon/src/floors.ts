/**
 * The daemon's floors, ground first: a module imports only from its own room (folder) or from a lower floor,
 * never up and never sideways into another room of its floor (test/architecture.floors.test.ts checks every
 * import, and that no imports form a circle). The README's architecture picture is drawn from this list.
 */
export const FLOORS: readonly { rooms: readonly string[]; holds: string }[] = [
  {
    rooms: ['errors.ts', 'floors.ts', 'core'],
    holds:
      'plain values: durations, bitsets, sorted search, slot arithmetic, bounded caches, limits, day slots',
  },
  { rooms: ['time'], holds: 'calendars: buckets of any IANA zone, aggregates, UTC days' },
  {
    rooms: ['contract'],
    holds: 'the HTTP contract: schemas, the types derived from them, metric names, parsing',
  },
  { rooms: ['etl'], holds: "sys.log's lines: presets, selectors, hour chunks and their decoding" },
  { rooms: ['db'], holds: 'every MongoDB call: one file per collection or operation' },
  { rooms: ['config'], holds: 'the environment read and validated once' },
  { rooms: ['query', 'job'], holds: 'counting from the in-memory index; the ETL job that writes home.login' },
  {
    rooms: ['api', 'demo', 'embedded', 'logger.ts', 'releasers.ts'],
    holds: 'HTTP, demo data, embedded MongoDB',
  },
  { rooms: ['daemon.ts'], holds: 'the process: wires the rooms together and shuts them down' },
  { rooms: ['cli'], holds: 'the command line' },
];
