/**
 * Entry point of `ctvs` (also published as `collectivus`): hands the arguments to the CLI dispatcher.
 */
import { main } from "./cli/main.ts";
import { args, errorMessage, exit, onUncaught } from "./platform/runtime.ts";

onUncaught((error) => {
  console.error(`fatal: ${errorMessage(error)}`);
  exit(1);
});
exit(await main(args()));
