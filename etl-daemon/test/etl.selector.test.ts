import { extractLogin, sourceFilter, sourceProjection, userFromMessage } from '../src/etl/selector';
import { CORE4_SELECTOR, DEFAULT_SELECTOR } from './helpers';

const created = new Date('2026-03-30T10:00:00Z');

describe('extractLogin', () => {
  it('should take the user from the configured field', () => {
    expect(extractLogin({ created, message: 'successful login', user: 'amy' }, DEFAULT_SELECTOR)).toEqual({
      kind: 'login',
      event: { user: 'amy', created },
    });
  });

  it.each([
    ['successfully loaded [amy] by [username] from [Auth Basic]', 'amy'],
    [
      'successfully loaded [bob.smith@example.com] by [token] from [Auth Bearer] expiring [2026-03-30 11:00:00]',
      'bob.smith@example.com',
    ],
    ['successfully loaded [carl] by [token] from [cookie]', 'carl'],
  ])("should take the user from core4's message %j", (message, user) => {
    expect(extractLogin({ created, message, username: 'core4' }, CORE4_SELECTOR)).toEqual({
      kind: 'login',
      event: { user, created },
    });
  });

  it.each([
    [{ created, user: 'admin' }, DEFAULT_SELECTOR, { kind: 'excluded' }],
    [
      { created, message: 'successfully loaded [admin] by [token] from [args]' },
      CORE4_SELECTOR,
      { kind: 'excluded' },
    ],
    [{ created, user: '' }, DEFAULT_SELECTOR, { kind: 'malformed', reason: 'no user name' }],
    [{ created, user: 7 }, DEFAULT_SELECTOR, { kind: 'malformed', reason: 'no user name' }],
    [{ created }, DEFAULT_SELECTOR, { kind: 'malformed', reason: 'no user name' }],
    [
      { created, user: 'x'.repeat(257) },
      DEFAULT_SELECTOR,
      { kind: 'malformed', reason: 'user name too long' },
    ],
    [
      { created: '2026-03-30', user: 'amy' },
      DEFAULT_SELECTOR,
      { kind: 'malformed', reason: 'created is not a date' },
    ],
    [
      { created: new Date(NaN), user: 'amy' },
      DEFAULT_SELECTOR,
      { kind: 'malformed', reason: 'created is not a date' },
    ],
    [
      { created, message: 'successfully loaded [] by [token]' },
      CORE4_SELECTOR,
      { kind: 'malformed', reason: 'no user name' },
    ],
    [{ created, message: 42 }, CORE4_SELECTOR, { kind: 'malformed', reason: 'no user name' }],
  ])('should classify %j', (doc, selector, expected) => {
    expect(extractLogin(doc, selector)).toEqual(expected);
  });

  it('should read nested fields and treat a non-object on the path as no user', () => {
    const selector = { ...DEFAULT_SELECTOR, userField: 'meta.login' };
    expect(extractLogin({ created, meta: { login: 'amy' } }, selector)).toMatchObject({ kind: 'login' });
    expect(extractLogin({ created, meta: 'amy' }, selector)).toMatchObject({ kind: 'malformed' });
  });
});

describe('sourceFilter', () => {
  it('should select by created range and message regex only, from validated values', () => {
    const from = new Date('2026-03-01T00:00:00Z');
    const to = new Date('2026-03-02T00:00:00Z');
    expect(sourceFilter(DEFAULT_SELECTOR, from, to)).toEqual({
      created: { $gte: from, $lt: to },
      message: { $regex: /successful login/ },
    });
  });

  it('should project only what extraction reads', () => {
    expect(sourceProjection(DEFAULT_SELECTOR)).toEqual({ _id: 0, created: 1, user: 1 });
    expect(sourceProjection(CORE4_SELECTOR)).toEqual({ _id: 0, created: 1, message: 1 });
    expect(userFromMessage(CORE4_SELECTOR)).toBe(true);
    expect(userFromMessage(DEFAULT_SELECTOR)).toBe(false);
  });
});
