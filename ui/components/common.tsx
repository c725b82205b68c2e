/** @jsxImportSource preact */
/**
 * Small pieces every screen uses: an error box, a loading line, a pager, a filter form row.
 *
 * @module
 */
/// <reference lib="dom" />
import type { ComponentChildren } from "preact";

/** A failed read, as the server worded it. */
export function ErrorBox({ error }: { error: string | undefined }) {
  return error ? <div class="error" role="alert">{error}</div> : null;
}

/** "Loading…" while a read runs. */
export function Loading({ loading }: { loading: boolean }) {
  return loading ? <div class="loading">Loading…</div> : null;
}

/**
 * What an empty first page says: that the filters match nothing, or, with none, where such records come from (a
 * receiver or a command the reader may not have set up yet).
 */
export function Empty({ filtered, source }: { filtered: boolean; source: string }) {
  return <p class="muted empty" data-testid="empty">{filtered ? "Nothing matches these filters." : source}</p>;
}

/** Previous / next page buttons. */
export function Pager(
  { offset, limit, more, shown, onPage }: {
    offset: number;
    limit: number;
    more: boolean;
    shown: number;
    onPage(offset: number): void;
  },
) {
  return (
    <div class="pager">
      <button type="button" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>
        ← Newer
      </button>
      <span>
        {shown === 0 ? "no rows" : `rows ${offset + 1}–${offset + shown}`}
      </span>
      <button type="button" disabled={!more} onClick={() => onPage(offset + limit)}>Older →</button>
    </div>
  );
}

/** A search form: fields in a row, submitted by Enter or its button. */
export function Filters({ children, onSubmit }: { children: ComponentChildren; onSubmit(form: FormData): void }) {
  return (
    <form
      class="filters"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(new FormData(event.currentTarget as HTMLFormElement));
      }}
    >
      {children}
      <button type="submit">Search</button>
    </form>
  );
}

/** A labelled input of a {@link Filters} form. */
export function Field(
  { label, name, value, placeholder, width }: {
    label: string;
    name: string;
    value?: string | null;
    placeholder?: string;
    width?: string;
  },
) {
  return (
    <label>
      <span>{label}</span>
      <input name={name} type="text" value={value ?? ""} placeholder={placeholder} style={width ? { width } : {}} />
    </label>
  );
}

/**
 * A labelled choice of a {@link Filters} form, "any" first: `options` are values shown as they are, or
 * `[value, text]` pairs.
 */
export function Choice(
  { label, name, value, options }: {
    label: string;
    name: string;
    value?: string | null;
    options: readonly (string | readonly [value: string, text: string])[];
  },
) {
  return (
    <label>
      <span>{label}</span>
      <select name={name} value={value ?? ""}>
        <option value="">any</option>
        {options.map((option) => {
          const [v, text] = typeof option === "string" ? [option, option] : option;
          return <option key={v} value={v}>{text}</option>;
        })}
      </select>
    </label>
  );
}

/** The form's values as route parameters (empty ones left out). */
export function formParams(form: FormData): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === "string" && value.trim()) params[key] = value.trim();
  return params;
}
