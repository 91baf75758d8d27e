#!/usr/bin/env node
// Runs the compiled CLI when built (`npm run build`), else the TypeScript sources through tsx.
const { existsSync } = require('node:fs');
const path = require('node:path');
const built = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (existsSync(built)) {
  require(built);
} else {
  require('tsx/cjs');
  require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'));
}
