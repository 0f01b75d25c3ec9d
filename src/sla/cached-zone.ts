import { IANAZone, Zone } from 'luxon';

/** Offsets are remembered per quarter hour of UTC: every zone's offset changes on one. */
const BUCKET_MS = 15 * 60_000;
/** Quarter hours remembered per zone before starting over (about ten years' worth). */
const MAX_BUCKETS = 400_000;

/**
 * An IANA zone whose UTC offsets are remembered. luxon asks Intl for the offset of every instant
 * it converts (formatToParts, about 10 µs each), and ingest converts several per mail: the
 * acknowledgement's date, the requester's local day, the SLA calendar's days. A quarter hour is
 * remembered only when the offset is the same at both of its ends, so an instant next to a
 * transition is always asked for itself. Names, abbreviations and formatting are the zone's own.
 */
export class CachedZone extends Zone<true> {
  readonly #inner: IANAZone;
  readonly #offsets = new Map<number, number>();

  constructor(inner: IANAZone) {
    super();
    this.#inner = inner;
  }

  override get type(): 'iana' { return 'iana'; }
  override get name(): string { return this.#inner.name; }
  override get isUniversal(): false { return false; }
  override get isValid(): true { return true; }
  override offsetName(ts: number, options: Parameters<IANAZone['offsetName']>[1]): string {
    return this.#inner.offsetName(ts, options) as string;
  }
  override formatOffset(ts: number, format: Parameters<IANAZone['formatOffset']>[1]): string {
    return this.#inner.formatOffset(ts, format);
  }
  override equals(other: Zone): boolean {
    return other.type === 'iana' && other.name === this.name;
  }
  override offset(ts: number): number {
    const bucket = Math.floor(ts / BUCKET_MS);
    const known = this.#offsets.get(bucket);
    if (known !== undefined) return known;
    const first = this.#inner.offset(bucket * BUCKET_MS);
    const last = this.#inner.offset((bucket + 1) * BUCKET_MS - 1);
    if (first !== last || Number.isNaN(first)) return this.#inner.offset(ts);
    if (this.#offsets.size >= MAX_BUCKETS) this.#offsets.clear();
    this.#offsets.set(bucket, first);
    return first;
  }
}

const zones = new Map<string, CachedZone>();

/**
 * The cached zone of an IANA name, one per name for the process. A name that is no zone gets
 * luxon's invalid zone, so callers see exactly what luxon would have given them (configuration
 * refuses such names, and the SLA calendar checks `isValid`).
 */
export function cachedZone(name: string): Zone {
  const known = zones.get(name);
  if (known) return known;
  const inner = IANAZone.create(name);
  if (!inner.isValid) return inner;
  const zone = new CachedZone(inner);
  zones.set(name, zone);
  return zone;
}
