import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import distance from '@turf/distance';
import { lineString, point, polygon } from '@turf/helpers';
import type { Feature, LineString, Polygon } from 'geojson';
import length from '@turf/length';
import pointToLineDistance from '@turf/point-to-line-distance';
import type { HoldingArea, LatLon, Placement, Segment } from './tracking';

/**
 * Where a point lies on a gate's approach (API.md: "a position lies in the segment whose path it is within widthM/2
 * of, in a holding area, or nowhere"), with @turf doing the geometry on the WGS 84 sphere. Built once per corridor
 * and kept by its users while the corridor is unchanged.
 *
 * Without PostGIS in the embedded server the placement runs in the API as each batch arrives, and the table keeps the
 * segment beside the point. With PostGIS the corridor would be a geography column, the placement an `ST_DWithin`
 * in the insert itself, and the flow a spatial join; technical notes, "Tracking and traffic flow".
 */
export class CorridorMap {
  private readonly segments: { code: string; order: number; halfWidthKm: number; line: Feature<LineString>; lengthKm: number }[];
  private readonly areas: { code: string; shape: Feature<Polygon> }[];

  constructor(corridor: readonly Segment[], holdingAreas: readonly HoldingArea[]) {
    // Nearest the gate first: where two segments meet, a point on both counts towards the gate.
    this.segments = [...corridor]
      .sort((a, b) => b.order - a.order)
      .map((s) => {
        const line = lineString(s.path.map(toLonLat));
        return { code: s.code, order: s.order, halfWidthKm: s.widthM / 2000, line, lengthKm: length(line, { units: 'kilometers' }) };
      });
    this.areas = holdingAreas.map((h) => ({ code: h.code, shape: polygon([closed(h.polygon.map(toLonLat))]) }));
  }

  get empty(): boolean {
    return this.segments.length === 0 && this.areas.length === 0;
  }

  place(lat: number, lon: number): Placement {
    const at = point([lon, lat]);
    const area = this.areas.find((a) => booleanPointInPolygon(at, a.shape));
    const segment = this.segments.find((s) => pointToLineDistance(at, s.line, { units: 'kilometers' }) <= s.halfWidthKm);
    return { segment: segment?.code ?? null, holdingArea: area?.code ?? null };
  }

  /** A segment's length along its path, in km (its density is trucks per km). */
  lengthKm(code: string): number {
    return this.segments.find((s) => s.code === code)?.lengthKm ?? 0;
  }
}

/** The speed between two fixes, for a phone that sends none; undefined when they are too close in time to tell. */
export function speedBetween(a: { at: string; lat: number; lon: number }, b: { at: string; lat: number; lon: number }): number | undefined {
  const hours = Math.abs(Date.parse(b.at) - Date.parse(a.at)) / 3600_000;
  if (hours < 5 / 3600) return undefined;
  return distance(point([a.lon, a.lat]), point([b.lon, b.lat]), { units: 'kilometers' }) / hours;
}

const toLonLat = ([lat, lon]: LatLon): [number, number] => [lon, lat];

function closed(ring: [number, number][]): [number, number][] {
  const [first, last] = [ring[0], ring[ring.length - 1]];
  return first[0] === last[0] && first[1] === last[1] ? ring : [...ring, first];
}
