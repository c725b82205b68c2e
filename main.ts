/**
 * Entry point of `ctvs` (also published as `collectivus`): hands the arguments to the CLI dispatcher.
 */
import { main } from "./cli/main.ts";
import { args, exit } from "./platform/runtime.ts";

exit(await main(args()));
