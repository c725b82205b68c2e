/** @jsxImportSource preact */
/**
 * An image of a recorded request, served by `ctvs ui` from the raw exchange (a browser `<img>` cannot send the token
 * header, so its URL carries the token). When the server cannot show it (a link it does not fetch, a provider file,
 * a type it does not serve, too big), the server's reason is shown in its place.
 *
 * @module
 */
/// <reference lib="dom" />
import { useState } from "preact/hooks";

/** The image at `src` (a URL with the token), or why it is not shown. */
export function RecordedImage({ src, alt }: { src: string; alt: string }) {
  const [failure, setFailure] = useState<string | undefined>();
  if (failure) return <div class="part-image muted" data-testid="image-missing">{alt}: {failure}</div>;
  return (
    <img
      class="shot"
      src={src}
      alt={alt}
      loading="lazy"
      data-testid="recorded-image"
      onError={async () => {
        // The <img> cannot read the answer: ask again for the server's words.
        const reason = await fetch(src).then(
          async (r) => ((await r.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${r.status}`,
          (e) => String(e.message ?? e),
        );
        setFailure(reason);
      }}
    />
  );
}
