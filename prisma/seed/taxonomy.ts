/**
 * Trade taxonomy: trade groups → categories (verticals).
 *
 * Mirrors the "Trade Groups Reference" of the lead export pipeline spec
 * (seed 001) exactly, plus the `other/other` bucket that the same spec's
 * export tree uses for uncategorized leads. Pure data — no I/O.
 */

/** Trade group → its categories, in the order the spec lists them. */
export const TRADE_GROUPS = {
  luxury_outdoor: ['pool', 'outdoor_living', 'fence'],
  home_exterior: ['roof', 'concrete', 'siding', 'windows'],
  home_systems: ['hvac', 'plumbing', 'electrical'],
  structural: ['foundation', 'new_construction', 'remodel', 'addition'],
  commercial: ['commercial_pool', 'commercial_hvac', 'commercial_electrical', 'commercial_plumbing'],
  other: ['other'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type TradeGroupSlug = keyof typeof TRADE_GROUPS;
export type TradeSlug = (typeof TRADE_GROUPS)[TradeGroupSlug][number];

export const TRADE_GROUP_SLUGS = [
  'luxury_outdoor',
  'home_exterior',
  'home_systems',
  'structural',
  'commercial',
  'other',
] as const satisfies readonly TradeGroupSlug[];

/** Every category slug, grouped in TRADE_GROUPS order. */
export const TRADE_SLUGS = [
  'pool',
  'outdoor_living',
  'fence',
  'roof',
  'concrete',
  'siding',
  'windows',
  'hvac',
  'plumbing',
  'electrical',
  'foundation',
  'new_construction',
  'remodel',
  'addition',
  'commercial_pool',
  'commercial_hvac',
  'commercial_electrical',
  'commercial_plumbing',
  'other',
] as const satisfies readonly TradeSlug[];

// Compile-time guards: the explicit tuples above must cover the full unions.
type MissingTrades = Exclude<TradeSlug, (typeof TRADE_SLUGS)[number]>;
type MissingGroups = Exclude<TradeGroupSlug, (typeof TRADE_GROUP_SLUGS)[number]>;
const _allTradesListed: [MissingTrades] extends [never] ? true : MissingTrades = true;
const _allGroupsListed: [MissingGroups] extends [never] ? true : MissingGroups = true;
void _allTradesListed;
void _allGroupsListed;

export const TRADE_GROUP_LABELS: Readonly<Record<TradeGroupSlug, string>> = {
  luxury_outdoor: 'Luxury Outdoor',
  home_exterior: 'Home Exterior',
  home_systems: 'Home Systems',
  structural: 'Structural',
  commercial: 'Commercial',
  other: 'Other',
};

export interface Vertical {
  readonly slug: TradeSlug;
  readonly name: string;
  readonly tradeGroup: TradeGroupSlug;
  readonly description: string;
}

export const VERTICALS: readonly Vertical[] = [
  // luxury_outdoor
  { slug: 'pool', name: 'Pools & Spas', tradeGroup: 'luxury_outdoor', description: 'Residential swimming pool and spa construction, remodeling, resurfacing and equipment.' },
  { slug: 'outdoor_living', name: 'Outdoor Living', tradeGroup: 'luxury_outdoor', description: 'Patios, pergolas, outdoor kitchens, decks, covered porches and hardscaping.' },
  { slug: 'fence', name: 'Fencing', tradeGroup: 'luxury_outdoor', description: 'Residential fence installation and replacement: wood, vinyl, iron, privacy and pool fencing.' },
  // home_exterior
  { slug: 'roof', name: 'Roofing', tradeGroup: 'home_exterior', description: 'Roof replacement, re-roofing and storm-damage repair for residential properties.' },
  { slug: 'concrete', name: 'Concrete & Flatwork', tradeGroup: 'home_exterior', description: 'Driveways, sidewalks, slabs and other residential concrete flatwork.' },
  { slug: 'siding', name: 'Siding', tradeGroup: 'home_exterior', description: 'Exterior siding, stucco, trim and cladding installation or replacement.' },
  { slug: 'windows', name: 'Windows & Doors', tradeGroup: 'home_exterior', description: 'Window and exterior door replacement and new installation.' },
  // home_systems
  { slug: 'hvac', name: 'HVAC', tradeGroup: 'home_systems', description: 'Heating, ventilation and air-conditioning installation, replacement and ductwork.' },
  { slug: 'plumbing', name: 'Plumbing', tradeGroup: 'home_systems', description: 'Residential plumbing: repiping, water heaters, sewer and gas lines, fixtures.' },
  { slug: 'electrical', name: 'Electrical', tradeGroup: 'home_systems', description: 'Residential electrical work: panel upgrades, rewiring, EV chargers, solar tie-ins, generators.' },
  // structural
  { slug: 'foundation', name: 'Foundation Repair', tradeGroup: 'structural', description: 'Foundation repair, leveling, piering and structural stabilization.' },
  { slug: 'new_construction', name: 'New Construction', tradeGroup: 'structural', description: 'New single-family homes and accessory dwelling units.' },
  { slug: 'remodel', name: 'Remodeling', tradeGroup: 'structural', description: 'Interior and whole-home remodels, kitchens and bathrooms.' },
  { slug: 'addition', name: 'Home Additions', tradeGroup: 'structural', description: 'Room additions, second stories and garage conversions.' },
  // commercial
  { slug: 'commercial_pool', name: 'Commercial Pools', tradeGroup: 'commercial', description: 'Pools and aquatic facilities for multifamily, hospitality and public properties.' },
  { slug: 'commercial_hvac', name: 'Commercial HVAC', tradeGroup: 'commercial', description: 'Rooftop units, chillers and mechanical systems for commercial buildings.' },
  { slug: 'commercial_electrical', name: 'Commercial Electrical', tradeGroup: 'commercial', description: 'Service upgrades, tenant finish-outs and electrical systems for commercial buildings.' },
  { slug: 'commercial_plumbing', name: 'Commercial Plumbing', tradeGroup: 'commercial', description: 'Plumbing, backflow and utility work for commercial buildings.' },
  // other
  { slug: 'other', name: 'Other', tradeGroup: 'other', description: 'Uncategorized leads that do not fit a specific trade.' },
];

const GROUP_BY_TRADE: ReadonlyMap<string, TradeGroupSlug> = new Map(
  TRADE_GROUP_SLUGS.flatMap((group) =>
    TRADE_GROUPS[group].map((trade): [string, TradeGroupSlug] => [trade, group]),
  ),
);

export function isTradeSlug(value: string): value is TradeSlug {
  return GROUP_BY_TRADE.has(value);
}

export function isTradeGroupSlug(value: string): value is TradeGroupSlug {
  return Object.prototype.hasOwnProperty.call(TRADE_GROUPS, value);
}

/** Trade group a category belongs to; `undefined` for an unknown string. */
export function tradeGroupOf(slug: TradeSlug): TradeGroupSlug;
export function tradeGroupOf(slug: string): TradeGroupSlug | undefined;
export function tradeGroupOf(slug: string): TradeGroupSlug | undefined {
  return GROUP_BY_TRADE.get(slug);
}
