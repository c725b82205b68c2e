/**
 * What the proxy knows about Claude Code sessions, in memory: each session's cwd and git branch (posted by the
 * attach hooks) and the sessions the user asked not to record. Both are bounded, oldest first out.
 *
 * @module
 */
import type { SessionContext } from "./exchange.ts";

/** At most this many session contexts are kept. */
const MAX_CONTEXTS = 10_000;
/** At most this many ignored sessions are kept (reference §4.7). */
export const MAX_IGNORED_SESSIONS = 1000;

/** The session contexts and ignored sessions of one proxy listener. */
export class SessionStore {
  readonly #contexts = new Map<string, SessionContext>();
  readonly #ignored = new Set<string>();

  /** Records `sessionId`'s context, replacing what was known. */
  setContext(sessionId: string, context: SessionContext): void {
    this.#contexts.delete(sessionId);
    this.#contexts.set(sessionId, context);
    if (this.#contexts.size > MAX_CONTEXTS) this.#contexts.delete(this.#contexts.keys().next().value!);
  }

  /** The context of `sessionId`, if one was posted. */
  context(sessionId: string | undefined): SessionContext | undefined {
    return sessionId === undefined ? undefined : this.#contexts.get(sessionId);
  }

  /** Whether any session is known at all (lets a request skip looking for its session id). */
  get empty(): boolean {
    return this.#contexts.size === 0 && this.#ignored.size === 0;
  }

  /** Stops recording `sessionId`; returns the number of ignored sessions. */
  ignore(sessionId: string): number {
    this.#ignored.delete(sessionId);
    this.#ignored.add(sessionId);
    if (this.#ignored.size > MAX_IGNORED_SESSIONS) this.#ignored.delete(this.#ignored.values().next().value!);
    return this.#ignored.size;
  }

  /** Records `sessionId` again; returns whether it was ignored. */
  unignore(sessionId: string): boolean {
    return this.#ignored.delete(sessionId);
  }

  /** Whether `sessionId` is ignored. */
  isIgnored(sessionId: string | undefined): boolean {
    return sessionId !== undefined && this.#ignored.has(sessionId);
  }

  /** The ignored sessions, oldest first. */
  ignored(): string[] {
    return [...this.#ignored];
  }
}
