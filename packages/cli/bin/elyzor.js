#!/usr/bin/env node
// The `elyzor` binary. A file of the package itself (not of its build), so that `npm install`
// in the workspace links it before the first build.
import '../dist/bin.js';
