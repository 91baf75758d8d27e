import type { SelectorConfig } from '../src/config/config';

/** The seed convention, as `loadConfig` defaults it. */
export const DEFAULT_SELECTOR_CONFIG: SelectorConfig = {
  messageRegex: /successful login/,
  userField: 'user',
  excludeUsers: ['admin'],
};
