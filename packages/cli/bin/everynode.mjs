#!/usr/bin/env node
// The `everynode` executable: runs src/main.ts through tsx, so the CLI needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
