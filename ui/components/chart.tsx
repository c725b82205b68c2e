/** @jsxImportSource preact */
/**
 * A uPlot chart in a Preact component: made when the component mounts or its data changes, destroyed after.
 *
 * @module
 */
/// <reference lib="dom" />
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

/** A chart's options minus its size (the container's width decides it). */
export type ChartOptions = Omit<uPlot.Options, "width" | "height"> & { height?: number };

/** Draws `data` with `options`; `label` names the chart for assistive technology. */
export function Chart({ options, data, label }: { options: ChartOptions; data: uPlot.AlignedData; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const width = Math.max(300, box.current.clientWidth || 800);
    // Times in UTC, as everywhere else on the page.
    const tzDate = (ts: number) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");
    const plot = new uPlot(
      { tzDate, ...options, width, height: options.height ?? 240 } as uPlot.Options,
      data,
      box.current,
    );
    return () => plot.destroy();
  }, [options, data]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}

/** Bars (for counts and costs per period). */
export const bars: uPlot.Series.PathBuilder = uPlot.paths.bars!({ size: [0.6, 60] });

/** Series colours, told apart in light and dark. */
export const PALETTE = ["#3b6fd4", "#d4793b", "#2f9e6a", "#b03bd4", "#c9a227", "#d43b5a", "#3bb5d4", "#6a6a6a"];
