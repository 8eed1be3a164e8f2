/**
 * The recharts side of the figures, loaded on demand (its own chunk, out of the main bundle):
 * a line figure (a metric chart for export, the 1-D phase diagram on the page) and a bar figure
 * (the per-run summary), each in the page's theme or in the light print look, and the off-screen
 * render of a figure into a standalone SVG file. Live metric charts stay on canvas (see
 * docs/performance.md): these figures are drawn once, or at most every 500 ms.
 */
import { memo } from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Label,
  LabelList,
  Line,
  LineChart,
  Rectangle,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
  type BarShapeProps,
  type YAxisTickContentProps,
} from 'recharts';
import { fmt, tick } from '../format';
import {
  FIGURE_LOOK,
  FIGURE_WIDTH,
  PLOT_HEIGHT,
  PRINT_LOOK,
  barPlotHeight,
  type BarFigure,
  type Figure,
  type LineFigure,
  type PlotLook,
} from './figure';
import { figureSvg, fitText } from './figureSvg';

interface PlotProps<F> {
  fig: F;
  width: number;
  height: number;
  look: PlotLook;
  /** Hover read-out (on the page; not in files). */
  tooltip?: boolean;
}

function tickStyle(look: PlotLook) {
  return { fill: look.muted, fontSize: look.fontSize, fontFamily: look.font };
}

function axisTitleStyle(look: PlotLook) {
  return { fill: look.text, fontSize: look.fontSize + 1, fontFamily: look.font, fontWeight: 600 };
}

function LineFigurePlotImpl({ fig, width, height, look, tooltip }: PlotProps<LineFigure>) {
  const yWidth = look === PRINT_LOOK ? 78 : 64;
  return (
    <LineChart
      width={width}
      height={height}
      margin={{ top: 14, right: 24, bottom: 6, left: 6 }}
      className="figure-plot"
      accessibilityLayer={!!tooltip}
    >
      <CartesianGrid stroke={look.grid} strokeDasharray="3 3" />
      <XAxis
        type="number"
        dataKey="x"
        domain={fig.x.domain}
        ticks={fig.x.ticks}
        scale={fig.x.log ? 'log' : 'linear'}
        allowDataOverflow
        tickFormatter={tick}
        stroke={look.axis}
        tick={tickStyle(look)}
        height={look === PRINT_LOOK ? 48 : 40}
        padding={fig.series.some((s) => s.dots) ? { left: 10, right: 10 } : undefined}
      >
        <Label value={fig.x.label} position="insideBottom" offset={0} {...axisTitleStyle(look)} />
      </XAxis>
      <YAxis
        type="number"
        domain={fig.y.domain}
        ticks={fig.y.ticks}
        scale={fig.y.log ? 'log' : 'linear'}
        allowDataOverflow
        tickFormatter={tick}
        stroke={look.axis}
        tick={tickStyle(look)}
        width={yWidth}
      >
        <Label value={fig.y.label} angle={-90} position="insideLeft" textAnchor="middle" {...axisTitleStyle(look)} />
      </YAxis>
      {fig.series.map((s) => (
        <Line
          key={s.key}
          className="chart-line-curve"
          data={s.points}
          dataKey="y"
          name={s.name}
          stroke={s.color}
          strokeWidth={1.75}
          strokeDasharray={s.dash}
          dot={s.dots ? { r: 3.5, fill: look.dotFill, stroke: s.color, strokeWidth: 1.6 } : false}
          activeDot={tooltip ? { r: 4 } : false}
          isAnimationActive={false}
        />
      ))}
      {fig.markers.map((m) => (
        <ReferenceLine
          key={`${m.x}:${m.label}`}
          x={m.x}
          stroke={look.muted}
          strokeDasharray="2 3"
          label={{ value: m.label, position: 'insideTopRight', fill: look.text, fontSize: look.fontSize }}
        />
      ))}
      {tooltip ? (
        <Tooltip
          isAnimationActive={false}
          formatter={(v) => fmt(typeof v === 'number' ? v : Number(v))}
          labelFormatter={(x) => `${fig.x.label.replace(/ \(log scale\)$/, '')} = ${String(x)}`}
        />
      ) : null}
    </LineChart>
  );
}

function categoryWidth(fig: BarFigure, look: PlotLook): number {
  const longest = Math.max(0, ...fig.bars.map((b) => b.label.length));
  return Math.max(60, Math.min(200, Math.round(longest * look.fontSize * 0.6) + 12));
}

function barShape(props: BarShapeProps) {
  const payload = props.payload as { color?: string } | undefined;
  return <Rectangle {...props} fill={payload?.color ?? props.fill} />;
}

function BarFigurePlotImpl({ fig, width, height, look, tooltip }: PlotProps<BarFigure>) {
  const cat = categoryWidth(fig, look);
  return (
    <BarChart
      layout="vertical"
      width={width}
      height={height}
      data={fig.bars}
      margin={{ top: 12, right: 70, bottom: 6, left: 6 }}
      className="figure-plot"
      accessibilityLayer={!!tooltip}
    >
      <CartesianGrid stroke={look.grid} strokeDasharray="3 3" horizontal={false} />
      <XAxis
        type="number"
        domain={fig.value.domain}
        ticks={fig.value.ticks}
        allowDataOverflow
        tickFormatter={tick}
        stroke={look.axis}
        tick={tickStyle(look)}
        height={look === PRINT_LOOK ? 48 : 40}
      >
        <Label value={fig.value.label} position="insideBottom" offset={0} {...axisTitleStyle(look)} />
      </XAxis>
      <YAxis
        type="category"
        dataKey="label"
        width={cat}
        interval={0}
        stroke={look.axis}
        tick={(p: YAxisTickContentProps) => (
          // one line per run (recharts would wrap a label at its spaces)
          <text
            x={p.x}
            y={p.y}
            dy="0.355em"
            textAnchor="end"
            className="recharts-cartesian-axis-tick-value"
            {...tickStyle(look)}
          >
            {fitText(String(p.payload.value), cat - 10, look.fontSize)}
          </text>
        )}
      />
      <Bar
        dataKey="value"
        name={fig.value.label}
        shape={barShape}
        isAnimationActive={false}
        maxBarSize={22}
        fill={look.muted}
      >
        <LabelList
          dataKey="value"
          position="right"
          formatter={(v: unknown) => (typeof v === 'number' ? fmt(v) : '')}
          fill={look.text}
          fontSize={look.fontSize}
          fontFamily={look.font}
        />
      </Bar>
      {tooltip ? (
        <Tooltip
          isAnimationActive={false}
          cursor={{ fill: 'var(--grid)', opacity: 0.5 }}
          formatter={(v) => fmt(typeof v === 'number' ? v : Number(v))}
        />
      ) : null}
    </BarChart>
  );
}

// memo: a parent's render with the same figure costs no recharts render (10-60 ms on a busy machine)
export const LineFigurePlot = memo(LineFigurePlotImpl);
export const BarFigurePlot = memo(BarFigurePlotImpl);

/** The plot's <svg> inside `host` once recharts has drawn what `fig` asks for (it draws in several passes). */
async function drawn(host: HTMLElement, fig: Figure): Promise<SVGSVGElement> {
  const want =
    fig.kind === 'line'
      ? { sel: '.recharts-line', n: fig.series.filter((s) => s.points.length > 0).length }
      : { sel: '.recharts-bar-rectangle', n: fig.bars.filter((b) => b.value !== null).length };
  let last = '';
  for (let waited = 0; waited < 3000; waited += 25) {
    await new Promise((r) => setTimeout(r, 25));
    const svg = host.querySelector<SVGSVGElement>('svg.recharts-surface');
    if (!svg || svg.querySelectorAll(want.sel).length < want.n) continue;
    if (svg.querySelectorAll('.recharts-cartesian-axis-tick').length === 0) continue;
    // two polls with the same drawing: recharts is done
    const now = svg.outerHTML;
    if (now === last) return svg;
    last = now;
  }
  const svg = host.querySelector<SVGSVGElement>('svg.recharts-surface');
  if (!svg) throw new Error('SVG export: the figure did not render');
  return svg;
}

/** The plot as a standalone <svg> element's text: size attributes only, no page classes or styles. */
function plotMarkup(svg: SVGSVGElement, width: number, height: number): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  for (const el of [clone, ...Array.from(clone.querySelectorAll('*'))]) {
    el.removeAttribute('tabindex');
    el.removeAttribute('style');
  }
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('font-family', FIGURE_LOOK.font);
  return new XMLSerializer().serializeToString(clone);
}

/**
 * Draw `fig` with recharts off screen (in a detached corner of the page, light look, fixed size)
 * and return a standalone SVG file: title, preset caption and legend above the plot.
 */
export async function renderFigureSvg(fig: Figure): Promise<string> {
  const width = FIGURE_WIDTH;
  const height = fig.kind === 'line' ? PLOT_HEIGHT : barPlotHeight(fig);
  const host = document.createElement('div');
  host.setAttribute('aria-hidden', 'true');
  host.className = 'figure-offscreen';
  Object.assign(host.style, {
    position: 'fixed',
    left: '-10000px',
    top: '0',
    width: `${width}px`,
    pointerEvents: 'none',
    fontFamily: FIGURE_LOOK.font,
    color: FIGURE_LOOK.text,
    background: FIGURE_LOOK.background,
  });
  document.body.appendChild(host);
  const root = createRoot(host);
  try {
    flushSync(() =>
      root.render(
        fig.kind === 'line' ? (
          <LineFigurePlot fig={fig} width={width} height={height} look={PRINT_LOOK} />
        ) : (
          <BarFigurePlot fig={fig} width={width} height={height} look={PRINT_LOOK} />
        ),
      ),
    );
    const svg = await drawn(host, fig);
    return figureSvg(fig, fig.kind === 'line' ? fig.legend : [], plotMarkup(svg, width, height), width, height);
  } finally {
    root.unmount();
    host.remove();
  }
}
