// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const swc = base.transform['^.+\\.(t|j)sx?$'];
// d3-color 3.1.1 ships only .mjs files: transform them with the scaffold's SWC settings.
const transform = { ...base.transform, '^.+\\.mjs$': swc };

module.exports = {
  testTimeout: 120000,
  projects: [
    // Jest configuration provided by Grafana scaffolding: editors, mapping, and the DataSource against the daemon.
    { ...base, displayName: 'unit', transform, testPathIgnorePatterns: ['/node_modules/', '<rootDir>/src/__smoke__/'] },
    // The built module in Chromium: plain Node, without the jsdom setup.
    {
      displayName: 'smoke',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/src/__smoke__/**/*.test.ts'],
    },
  ],
};
