// A daily series as a chart (uPlot: small, canvas, maintained), with a text alternative: the
// figure is labelled and its data is one click away as a table, for screen readers and keyboards.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface DailyPoint {
  day: string; // YYYY-MM-DD
  value: number;
}

export interface TimeChartProps {
  title: string;
  points: readonly DailyPoint[];
  /** How a value reads (axis, tooltip, table). */
  format(value: number): string;
  kind?: 'bars' | 'line';
  /** Whole numbers only (counts): no fractional axis ticks. */
  integer?: boolean;
}

const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000];
const HALF_DAY = 43_200;

const dayToSeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

export function TimeChart({ title, points, format, kind = 'bars', integer = false }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const data: uPlot.AlignedData = [points.map((p) => dayToSeconds(p.day)), points.map((p) => p.value)];
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 280),
      height: 220,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: (_u, min, max) => [min - HALF_DAY, max + HALF_DAY] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: '#3d4451', grid: { show: false } },
        { stroke: '#3d4451', size: 72, values: (_u, ticks) => ticks.map((t) => format(t)), grid: { stroke: '#e3e6ea' }, ...(integer ? { incrs: INTEGER_STEPS } : {}) },
      ],
      series: [
        {},
        {
          label: title,
          stroke: '#1d4ed8',
          width: 2,
          fill: kind === 'bars' ? 'rgba(29, 78, 216, 0.75)' : 'rgba(29, 78, 216, 0.12)',
          ...(kind === 'bars' ? { paths: uPlot.paths.bars!({ size: [0.7, 48] }), points: { show: false } } : {}),
        },
      ],
    };
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 280), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, format, kind, title, integer]);

  const total = points.reduce((s, p) => s + p.value, 0);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-canvas" role="img" aria-label={`${title}: ${points.length} days, ${format(total)} in all`} />
      <details className="chart-data">
        <summary>Show data</summary>
        <table className="table">
          <caption className="visually-hidden">{title} by day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className="num">
                {title}
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.day}>
                <td>{p.day}</td>
                <td className="num">{format(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
