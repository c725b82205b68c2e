#!/usr/bin/env node
// The `ctvs` / `collectivus` command of the npm package: the bundle next to this folder does the work.
import "../ctvs.mjs";
