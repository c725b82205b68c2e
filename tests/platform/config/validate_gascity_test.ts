import { CITY, type Rejection, testRejections, withGascity } from "./_fixtures.ts";

/** Every rule of the `gascity` block (the Gas City supervisors): [name, config, exact message]. */
const REJECTED: Rejection[] = [
  ["gascity as an object", withGascity({}), "/gascity: must be an array"],
  ["a gascity entry that is a string", withGascity(["city"]), "/gascity/0: must be an object"],
  ["a gascity entry without name", withGascity([{}]), "/gascity/0/name: name is required"],
  ["an empty gascity name", withGascity([{ ...CITY, name: "" }]), "/gascity/0/name: must be a non-empty string"],
  ["a gascity entry without api_url", withGascity([{ name: "a" }]), "/gascity/0/api_url: api_url is required"],
  ["a websocket api_url", withGascity([{ ...CITY, api_url: "ws://x" }]), "/gascity/0/api_url: must be an http(s) URL"],
  ["duplicate gascity names", withGascity([CITY, CITY]), '/gascity/1/name: duplicate gascity name "a"'],
  [
    "include_templates as a string",
    withGascity([{ ...CITY, include_templates: "worker" }]),
    "/gascity/0/include_templates: must be an array of strings",
  ],
  [
    "a numeric exclude template",
    withGascity([{ ...CITY, exclude_templates: [1] }]),
    "/gascity/0/exclude_templates/0: must be a non-empty string",
  ],
  ["an unknown gascity key", withGascity([{ ...CITY, token: "t" }]), '/gascity/0/token: unknown key "token"'],
];

testRejections(REJECTED);
