import type { Read } from '../http/client';
import { label, type Translate } from '../i18n';
import { dayOrClock } from './format';

type Traffic = Read<'GateTraffic'>;
type LatLon = number[];

/**
 * A gate's approach drawn as SVG, with no tiles and no map library (booths often have no internet): the segments as
 * roads coloured by their flow and labelled in words (colour is never the only sign), the holding areas as outlines,
 * the trucks seen in the last 10 minutes as dots whose title is the plate, and the gate at the end of the segment
 * nearest to it. Coordinates are projected equirectangularly, longitudes shrunk by cos(latitude): a corridor spans a
 * few kilometres, where that is as good as any projection.
 */
export function CorridorMap({ t, traffic, gateName }: { t: Translate; traffic: Traffic; gateName: string }) {
  const segments = [...traffic.segments].sort((a, b) => a.order - b.order);
  const placed = traffic.trucks.filter((tr) => tr.segment !== null || tr.holdingArea !== null);
  const frame = projection([
    ...segments.flatMap((s) => s.path),
    ...traffic.holdingAreas.flatMap((h) => h.polygon),
    ...placed.map((tr) => [tr.lat, tr.lon]),
  ]);
  if (!frame) return null;
  const { width, height, at } = frame;
  const points = (path: LatLon[]) => path.map((p) => at(p).join(',')).join(' ');
  const gateSegment = segments[segments.length - 1];
  const gatePoint = gateSegment && at(gateSegment.path[gateSegment.path.length - 1]);
  const count = (status: string) => segments.filter((s) => s.status === status).length;
  const summary = t('traffic.mapSummary', {
    n: segments.length,
    trucks: traffic.trucks.length,
    congested: count('CONGESTED'),
    slow: count('SLOW'),
  });

  return (
    <figure class="corridor-map">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="map-title map-desc" data-map={traffic.gate}>
        <title id="map-title">{t('traffic.map', { gate: gateName })}</title>
        <desc id="map-desc">{summary}</desc>
        {traffic.holdingAreas.map((h) => (
          <polygon key={h.code} points={points(h.polygon)} class="holding-area" data-holding-area={h.code} />
        ))}
        {segments.map((s) => (
          <polyline
            key={s.code}
            points={points(s.path)}
            class={`road flow-${s.status.toLowerCase()}`}
            data-segment={s.code}
            data-status={s.status}
          >
            <title>{`${s.name}: ${label(t, 'flow', s.status)}`}</title>
          </polyline>
        ))}
        {placed.map((tr) => {
          const [x, y] = at([tr.lat, tr.lon]);
          const words = tr.segment
            ? t('traffic.truck', {
                plate: tr.plate,
                speed: tr.speedKmh === null ? t('app.none') : t('traffic.kmh', { n: Math.round(tr.speedKmh) }),
                time: dayOrClock(tr.lastAt),
              })
            : t('traffic.truckInArea', { plate: tr.plate, time: dayOrClock(tr.lastAt) });
          return (
            <circle key={tr.crossingId} cx={x} cy={y} r={7} class="truck" data-truck={tr.plate}>
              <title>{words}</title>
            </circle>
          );
        })}
        {segments.map((s) => {
          const [x, y] = at(s.path[Math.floor((s.path.length - 1) / 2)]);
          const mid = s.path.length % 2 === 0 ? midpoint(at(s.path[s.path.length / 2 - 1]), at(s.path[s.path.length / 2])) : [x, y];
          return (
            <text key={s.code} x={mid[0] + 18} y={mid[1] + 7} class={`map-label segment-label flow-text-${s.status.toLowerCase()}`}>
              {s.order}. <tspan class="segment-status">{label(t, 'flow', s.status)}</tspan>
            </text>
          );
        })}
        {traffic.holdingAreas.map((h) => {
          const corners = h.polygon.map(at);
          // The name stands left of the area: the roads' labels are on their right.
          const left = Math.min(...corners.map((c) => c[0]));
          const [, y] = centre(corners);
          return (
            <text key={h.code} x={left - 8} y={y + 6} class="map-label area-label" text-anchor="end">
              {h.name}
            </text>
          );
        })}
        {gatePoint && (
          <g class="gate-end">
            <rect x={gatePoint[0] - 10} y={gatePoint[1] - 10} width={20} height={20} />
            <text x={gatePoint[0] + 16} y={gatePoint[1] + 7} class="map-label">
              {t('traffic.gateEnd')}
            </text>
          </g>
        )}
      </svg>
      <figcaption class="map-legend">
        <span class="visually-hidden">{t('traffic.legend')}: </span>
        {(['FREE', 'SLOW', 'CONGESTED'] as const).map((status) => (
          <span key={status} class="legend-item">
            <svg viewBox="0 0 24 8" aria-hidden="true" class="legend-swatch">
              <line x1="0" y1="4" x2="24" y2="4" class={`road flow-${status.toLowerCase()}`} />
            </svg>
            {label(t, 'flow', status)}
          </span>
        ))}
        <span class="legend-item">
          <svg viewBox="0 0 16 16" aria-hidden="true" class="legend-dot">
            <circle cx="8" cy="8" r="6" class="truck" />
          </svg>
          {t('traffic.legendTruck')}
        </span>
        <span class="legend-item">
          <svg viewBox="0 0 16 16" aria-hidden="true" class="legend-dot">
            <rect x="2" y="2" width="12" height="12" class="holding-area-swatch" />
          </svg>
          {t('traffic.legendArea')}
        </span>
      </figcaption>
    </figure>
  );
}

const PAD = 50;
const WIDTH = 640;

/** Fits the points into a box `WIDTH` wide (taller or flatter as the corridor runs), with room for the labels. */
function projection(all: LatLon[]): { width: number; height: number; at: (p: LatLon) => [number, number] } | undefined {
  if (all.length === 0) return undefined;
  const lats = all.map((p) => p[0]);
  const lons = all.map((p) => p[1]);
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const shrink = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const dx = Math.max((maxLon - minLon) * shrink, 1e-6);
  const dy = Math.max(maxLat - minLat, 1e-6);
  // The labels stand to the right of the roads: a wider right margin.
  const inner = WIDTH - PAD - PAD * 4;
  const height = Math.round(Math.min(720, Math.max(300, (inner * dy) / dx + 2 * PAD)));
  const scale = Math.min(inner / dx, (height - 2 * PAD) / dy);
  const offsetX = PAD + (inner - dx * scale) / 2;
  const offsetY = PAD + (height - 2 * PAD - dy * scale) / 2;
  return {
    width: WIDTH,
    height,
    at: (p) => [
      Math.round((offsetX + (p[1] - minLon) * shrink * scale) * 10) / 10,
      Math.round((offsetY + (maxLat - p[0]) * scale) * 10) / 10,
    ],
  };
}

const centre = (ps: [number, number][]): [number, number] => [
  ps.reduce((s, p) => s + p[0], 0) / ps.length,
  ps.reduce((s, p) => s + p[1], 0) / ps.length,
];
const midpoint = (a: [number, number], b: [number, number]): [number, number] => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
