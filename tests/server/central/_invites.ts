/**
 * A Central with the admin API and a real rendezvous app (its store in a temporary directory) reached through an
 * injected fetch, for the invite and enrollment tests.
 *
 * @module
 */
import { rendezvousApp } from "../../../server/rendezvous/app.ts";
import { InviteStore } from "../../../server/rendezvous/invite_store.ts";
import { tempDir } from "../../helpers/child.ts";
import { from, testCentral } from "./_central.ts";

export const ADMIN_TOKEN = "admin-token-admin-token-admin-token!";
export const REGISTRATION_TOKEN = "registration-token-registration-token";
export const RENDEZVOUS_URL = "http://rendezvous.test:8789";

/** A rendezvous app in a temporary directory, and a fetch that reaches it at {@linkcode RENDEZVOUS_URL}. */
export async function testRendezvous(clockMs: () => number) {
  const temp = await tempDir("ctvs-rv-");
  const store = new InviteStore(temp.dir, REGISTRATION_TOKEN, { now: clockMs });
  const app = rendezvousApp({ store, registrationToken: REGISTRATION_TOKEN, now: clockMs, log: () => {} });
  const calls: string[] = [];
  const fetchRendezvous: typeof fetch = (input, init) => {
    const url = String(input);
    calls.push(`${init?.method ?? "GET"} ${url}`);
    if (!url.startsWith(RENDEZVOUS_URL)) return Promise.reject(new TypeError(`fetch failed: ${url}`));
    return Promise.resolve(app.request(url.slice(RENDEZVOUS_URL.length), init));
  };
  return { store, app, calls, fetch: fetchRendezvous, url: RENDEZVOUS_URL, remove: temp.remove };
}

/** A Central with the admin API and a rendezvous service. */
export async function adminCentral(options: { adminLimit?: { limit: number; windowMs: number } } = {}) {
  // The rendezvous service follows Central's clock, which exists only once Central does.
  const clock = { now: () => 0 };
  const rendezvous = await testRendezvous(() => clock.now());
  const central = await testCentral({
    public_url: "https://central.example.com/",
    admin: { token: ADMIN_TOKEN },
    rendezvous: { url: `${RENDEZVOUS_URL}/`, registration_token: REGISTRATION_TOKEN },
    enrollment: { gateway_prefix: "host" },
  }, { fetch: rendezvous.fetch, adminLimit: options.adminLimit });
  clock.now = () => central.clock.now * 1000;
  const admin = (url: string, init: RequestInit = {}, ip = "10.1.0.1", token = ADMIN_TOKEN) =>
    central.app.request(url, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
    }, from(ip));
  const create = (body: unknown = {}, ip?: string, token?: string) =>
    admin("/v1/admin/invites", { method: "POST", body: JSON.stringify(body) }, ip, token);
  return {
    central,
    rendezvous,
    admin,
    create,
    async close() {
      await central.close();
      await rendezvous.remove();
    },
  };
}
