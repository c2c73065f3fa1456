/**
 * Address normalization (issue 4 §4: "the same house from two sources is one property"). The normalized street is
 * the property key together with city and state (properties unique index on normalized_address, city, state), so
 * two spellings of one house — "1234 North Oak Street" and "1234 N. Oak St" — must give the same string.
 *
 * Rules follow USPS Publication 28: street suffixes (Appendix C1), directionals (§233), secondary unit designators
 * (Appendix C2). Ordinal words (FIRST → 1ST) are folded too, so "First Ave" and "1st Ave" match.
 */

/** Publication 28 Appendix C1: common street suffix spellings → the standard abbreviation. */
const STREET_SUFFIXES: Record<string, string> = {
  ALLEY: 'ALY', ALLEE: 'ALY', ALLY: 'ALY',
  ANNEX: 'ANX', ANEX: 'ANX', ANNX: 'ANX',
  ARCADE: 'ARC',
  AVENUE: 'AVE', AV: 'AVE', AVEN: 'AVE', AVENU: 'AVE', AVN: 'AVE', AVNUE: 'AVE',
  BAYOU: 'BYU', BAYOO: 'BYU',
  BEACH: 'BCH',
  BEND: 'BND',
  BLUFF: 'BLF', BLUF: 'BLF',
  BOTTOM: 'BTM', BOTTM: 'BTM', BOT: 'BTM',
  BOULEVARD: 'BLVD', BOUL: 'BLVD', BOULV: 'BLVD',
  BRANCH: 'BR', BRNCH: 'BR',
  BRIDGE: 'BRG', BRDGE: 'BRG',
  BROOK: 'BRK',
  BYPASS: 'BYP', BYPA: 'BYP', BYPAS: 'BYP', BYPS: 'BYP',
  CAMP: 'CP', CMP: 'CP',
  CANYON: 'CYN', CANYN: 'CYN', CNYN: 'CYN',
  CAPE: 'CPE',
  CAUSEWAY: 'CSWY', CAUSWA: 'CSWY',
  CENTER: 'CTR', CENTRE: 'CTR', CENT: 'CTR', CENTR: 'CTR', CNTER: 'CTR', CNTR: 'CTR', CEN: 'CTR',
  CIRCLE: 'CIR', CIRC: 'CIR', CIRCL: 'CIR', CRCL: 'CIR', CRCLE: 'CIR',
  CLIFF: 'CLF',
  CLUB: 'CLB',
  COMMON: 'CMN',
  CORNER: 'COR',
  COURSE: 'CRSE',
  COURT: 'CT', CRT: 'CT',
  COURTS: 'CTS',
  COVE: 'CV',
  CREEK: 'CRK',
  CRESCENT: 'CRES', CRSENT: 'CRES', CRSNT: 'CRES',
  CROSSING: 'XING', CRSSNG: 'XING',
  CROSSROAD: 'XRD',
  CURVE: 'CURV',
  DALE: 'DL',
  DAM: 'DM',
  DIVIDE: 'DV', DIV: 'DV', DVD: 'DV',
  DRIVE: 'DR', DRIV: 'DR', DRV: 'DR',
  DRIVES: 'DRS',
  ESTATE: 'EST',
  ESTATES: 'ESTS',
  EXPRESSWAY: 'EXPY', EXP: 'EXPY', EXPR: 'EXPY', EXPRESS: 'EXPY', EXPW: 'EXPY',
  EXTENSION: 'EXT', EXTN: 'EXT', EXTNSN: 'EXT',
  FALLS: 'FLS',
  FERRY: 'FRY', FRRY: 'FRY',
  FIELD: 'FLD',
  FIELDS: 'FLDS',
  FLAT: 'FLT',
  FORD: 'FRD',
  FOREST: 'FRST', FORESTS: 'FRST',
  FORK: 'FRK', FRK: 'FRK',
  FORKS: 'FRKS',
  FORT: 'FT', FRT: 'FT',
  FREEWAY: 'FWY', FREEWY: 'FWY', FRWAY: 'FWY', FRWY: 'FWY',
  GARDEN: 'GDN', GARDN: 'GDN', GRDEN: 'GDN', GRDN: 'GDN',
  GARDENS: 'GDNS', GRDNS: 'GDNS',
  GATEWAY: 'GTWY', GATEWY: 'GTWY', GATWAY: 'GTWY', GTWAY: 'GTWY',
  GLEN: 'GLN',
  GREEN: 'GRN',
  GROVE: 'GRV', GROV: 'GRV',
  HARBOR: 'HBR', HARB: 'HBR', HARBR: 'HBR', HRBOR: 'HBR',
  HAVEN: 'HVN',
  HEIGHTS: 'HTS', HT: 'HTS',
  HIGHWAY: 'HWY', HIGHWY: 'HWY', HIWAY: 'HWY', HIWY: 'HWY', HWAY: 'HWY',
  HILL: 'HL',
  HILLS: 'HLS',
  HOLLOW: 'HOLW', HLLW: 'HOLW', HOLLOWS: 'HOLW', HOLWS: 'HOLW',
  ISLAND: 'IS', ISLND: 'IS',
  ISLANDS: 'ISS', ISLNDS: 'ISS',
  JUNCTION: 'JCT', JCTION: 'JCT', JCTN: 'JCT', JUNCTN: 'JCT', JUNCTON: 'JCT',
  KEY: 'KY',
  KNOLL: 'KNL', KNOL: 'KNL',
  LAKE: 'LK',
  LAKES: 'LKS',
  LANDING: 'LNDG', LNDNG: 'LNDG',
  LANE: 'LN',
  LOOP: 'LOOP', LOOPS: 'LOOP',
  MANOR: 'MNR',
  MEADOW: 'MDW',
  MEADOWS: 'MDWS', MEDOWS: 'MDWS',
  MILL: 'ML',
  MISSION: 'MSN', MISSN: 'MSN', MSSN: 'MSN',
  MOTORWAY: 'MTWY',
  MOUNT: 'MT', MNT: 'MT',
  MOUNTAIN: 'MTN', MNTAIN: 'MTN', MNTN: 'MTN', MOUNTIN: 'MTN', MTIN: 'MTN',
  ORCHARD: 'ORCH', ORCHRD: 'ORCH',
  OVERPASS: 'OPAS',
  PARKWAY: 'PKWY', PARKWY: 'PKWY', PKWAY: 'PKWY', PKY: 'PKWY', PARKWAYS: 'PKWY', PKWYS: 'PKWY',
  PASSAGE: 'PSGE',
  PIKE: 'PIKE', PIKES: 'PIKE',
  PINE: 'PNE',
  PINES: 'PNES',
  PLACE: 'PL',
  PLAIN: 'PLN',
  PLAINS: 'PLNS',
  PLAZA: 'PLZ', PLZA: 'PLZ',
  POINT: 'PT',
  POINTS: 'PTS',
  PORT: 'PRT',
  PRAIRIE: 'PR', PRR: 'PR',
  RANCH: 'RNCH', RANCHES: 'RNCH', RNCHS: 'RNCH',
  RIDGE: 'RDG', RDGE: 'RDG',
  RIVER: 'RIV', RVR: 'RIV', RIVR: 'RIV',
  ROAD: 'RD',
  ROADS: 'RDS',
  ROUTE: 'RTE',
  RUN: 'RUN',
  SHORE: 'SHR', SHOAR: 'SHR',
  SPRING: 'SPG', SPNG: 'SPG', SPRNG: 'SPG',
  SPRINGS: 'SPGS', SPNGS: 'SPGS', SPRNGS: 'SPGS',
  SQUARE: 'SQ', SQR: 'SQ', SQRE: 'SQ', SQU: 'SQ',
  STATION: 'STA', STATN: 'STA', STN: 'STA',
  STREET: 'ST', STRT: 'ST', STR: 'ST',
  STREETS: 'STS',
  SUMMIT: 'SMT', SUMIT: 'SMT', SUMITT: 'SMT',
  TERRACE: 'TER', TERR: 'TER',
  TRACE: 'TRCE', TRACES: 'TRCE',
  TRAIL: 'TRL', TRAILS: 'TRL', TRLS: 'TRL',
  TUNNEL: 'TUNL', TUNEL: 'TUNL', TUNLS: 'TUNL', TUNNELS: 'TUNL', TUNNL: 'TUNL',
  TURNPIKE: 'TPKE', TRNPK: 'TPKE', TURNPK: 'TPKE',
  UNION: 'UN',
  VALLEY: 'VLY', VALLY: 'VLY', VLLY: 'VLY',
  VIADUCT: 'VIA', VDCT: 'VIA', VIADCT: 'VIA',
  VIEW: 'VW',
  VILLAGE: 'VLG', VILL: 'VLG', VILLAG: 'VLG', VILLG: 'VLG', VILLIAGE: 'VLG',
  VISTA: 'VIS', VIST: 'VIS', VST: 'VIS', VSTA: 'VIS',
  WALK: 'WALK',
  WAY: 'WAY', WY: 'WAY',
  WELL: 'WL',
  WELLS: 'WLS',
};

/** Publication 28 §233: directionals. */
const DIRECTIONALS: Record<string, string> = {
  NORTH: 'N', SOUTH: 'S', EAST: 'E', WEST: 'W',
  NORTHEAST: 'NE', NORTHWEST: 'NW', SOUTHEAST: 'SE', SOUTHWEST: 'SW',
  'NORTH EAST': 'NE', 'NORTH WEST': 'NW', 'SOUTH EAST': 'SE', 'SOUTH WEST': 'SW',
};
export const DIRECTIONAL_ABBREVIATIONS = new Set(['N', 'S', 'E', 'W', 'NE', 'NW', 'SE', 'SW']);

/** Publication 28 Appendix C2: secondary unit designators. */
const UNIT_DESIGNATORS: Record<string, string> = {
  APARTMENT: 'APT', APT: 'APT',
  BASEMENT: 'BSMT', BSMT: 'BSMT',
  BUILDING: 'BLDG', BLDG: 'BLDG',
  DEPARTMENT: 'DEPT', DEPT: 'DEPT',
  FLOOR: 'FL', FL: 'FL',
  FRONT: 'FRNT', FRNT: 'FRNT',
  HANGAR: 'HNGR', HNGR: 'HNGR',
  KEY: 'KEY',
  LOBBY: 'LBBY', LBBY: 'LBBY',
  LOT: 'LOT',
  LOWER: 'LOWR', LOWR: 'LOWR',
  OFFICE: 'OFC', OFC: 'OFC',
  PENTHOUSE: 'PH', PH: 'PH',
  PIER: 'PIER',
  REAR: 'REAR',
  ROOM: 'RM', RM: 'RM',
  SIDE: 'SIDE',
  SLIP: 'SLIP',
  SPACE: 'SPC', SPC: 'SPC',
  STOP: 'STOP',
  SUITE: 'STE', STE: 'STE',
  TRAILER: 'TRLR', TRLR: 'TRLR',
  UNIT: 'UNIT',
  UPPER: 'UPPR', UPPR: 'UPPR',
};
/** Designators that need no number after them ("REAR", "BSMT"); the others only count when a number follows. */
const UNIT_WITHOUT_NUMBER = new Set(['BSMT', 'FRNT', 'LBBY', 'LOWR', 'OFC', 'PH', 'REAR', 'SIDE', 'UPPR']);

const ORDINAL_WORDS: Record<string, string> = {
  FIRST: '1ST', SECOND: '2ND', THIRD: '3RD', FOURTH: '4TH', FIFTH: '5TH', SIXTH: '6TH', SEVENTH: '7TH',
  EIGHTH: '8TH', NINTH: '9TH', TENTH: '10TH', ELEVENTH: '11TH', TWELFTH: '12TH', THIRTEENTH: '13TH',
  FOURTEENTH: '14TH', FIFTEENTH: '15TH', SIXTEENTH: '16TH', SEVENTEENTH: '17TH', EIGHTEENTH: '18TH',
  NINETEENTH: '19TH', TWENTIETH: '20TH',
};

/**
 * Uppercase, punctuation removed ('#' kept as a unit marker, '-' and '/' kept inside house numbers like
 * "123-B" or "12 1/2"), whitespace collapsed.
 */
function cleanTokens(street: string): string[] {
  const cleaned = street
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/#\s*/g, ' # ')
    .replace(/(\d)\s*-\s*(?=[0-9A-Z])/g, '$1-')
    .replace(/(\d)\/(\d)/g, '$1\u0000$2')
    .replace(/[^A-Z0-9#\-\u0000\s]/g, (c) => (c === '.' || c === "'" ? '' : ' '))
    .replace(/(?<![0-9A-Z])-|-(?![0-9A-Z])/g, ' ')
    .replace(/\u0000/g, '/');
  return cleaned.split(/\s+/).filter(Boolean);
}

/** The token at i, '' past either end (keeps index checks out of the rules below). */
function at(tokens: string[], i: number): string {
  return tokens[i] ?? '';
}

/** Merges two-word directionals ("NORTH EAST") into one token before abbreviation. */
function mergeTwoWordDirectionals(tokens: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const pair = `${tokens[i]} ${tokens[i + 1] ?? ''}`;
    if (DIRECTIONALS[pair] && i + 1 < tokens.length) {
      out.push(pair.replace(' ', ''));
      i++;
    } else out.push(at(tokens, i));
  }
  return out;
}

/** A token that can be a unit's value: "5", "5B", "B", "12-A"; never a street suffix like ST or RD. */
function isUnitValue(token: string): boolean {
  if (STREET_SUFFIXES[token] || SUFFIX_ABBREVIATIONS.has(token) || UNIT_DESIGNATORS[token]) return false;
  return /\d/.test(token) || /^[A-Z]$/.test(token);
}

/**
 * Reads tokens[i..] as a run of units — "APT 5", "# 5", "BLDG 3 APT 4", "REAR" — and returns their normalized
 * text, or null when anything in the run is not a unit (then the words belong to the street: "5 Key Way").
 */
function readUnits(tokens: string[], i: number): string | null {
  const parts: string[] = [];
  while (i < tokens.length) {
    const t = at(tokens, i);
    if (t === '#' && UNIT_DESIGNATORS[at(tokens, i + 1)]) {
      i++; // "STE 5 # KEY 2": a '#' before a designator is punctuation (else a second pass would read it otherwise)
      continue;
    }
    const designator = t === '#' ? 'UNIT' : UNIT_DESIGNATORS[t];
    if (!designator) return null;
    let next = at(tokens, i + 1);
    if (t !== '#' && next === '#' && !UNIT_WITHOUT_NUMBER.has(designator)) {
      i++; // "APT #5"
      next = at(tokens, i + 1);
    }
    if (isUnitValue(next) && !UNIT_WITHOUT_NUMBER.has(designator)) {
      parts.push(`${designator} ${next}`);
      i += 2;
    } else if (UNIT_WITHOUT_NUMBER.has(designator)) {
      parts.push(designator);
      i += 1;
    } else if (t === '#' && next === '') {
      i += 1; // a trailing '#' is punctuation
    } else return null;
  }
  return parts.join(' ');
}

/**
 * Splits off the secondary units from the end of the street: returns where they start (tokens.length when there
 * are none) and their normalized text. A unit never starts at the first token, and a no-number designator
 * ("REAR") only after a street of at least two words, so "123 Rear St" or "Rear N" stay streets.
 */
function splitUnit(tokens: string[]): { end: number; unit: string | null } {
  for (let i = 1; i < tokens.length; i++) {
    const t = at(tokens, i);
    if (t !== '#' && !UNIT_DESIGNATORS[t]) continue;
    const unit = readUnits(tokens, i);
    if (unit === null) continue;
    const onlyNoNumber = unit.split(' ').every((u) => UNIT_WITHOUT_NUMBER.has(u));
    if (i < 2 && unit !== '' && onlyNoNumber) continue;
    return { end: i, unit: unit === '' ? null : unit };
  }
  return { end: tokens.length, unit: null };
}

const SUFFIX_ABBREVIATIONS = new Set(Object.values(STREET_SUFFIXES));
const DIRECTIONAL_WORDS: Record<string, string> = {
  N: 'NORTH', S: 'SOUTH', E: 'EAST', W: 'WEST', NE: 'NORTHEAST', NW: 'NORTHWEST', SE: 'SOUTHEAST', SW: 'SOUTHWEST',
};

/** The standard abbreviation of a suffix word or abbreviation, or undefined when the word is no suffix. */
function suffixOf(token: string): string | undefined {
  return STREET_SUFFIXES[token] ?? (SUFFIX_ABBREVIATIONS.has(token) ? token : undefined);
}

/** The abbreviation of a directional word or abbreviation ("NORTH" or "N" → "N"), or undefined. */
function directionalOf(token: string): string | undefined {
  return DIRECTIONALS[token] ?? (DIRECTIONAL_ABBREVIATIONS.has(token) ? token : undefined);
}

/**
 * Abbreviates suffixes, directionals and ordinals in the street part: [house number] [pre-directional] name
 * [suffix] [post-directional]. A directional is abbreviated only where it is one: when it is the whole street name
 * ("North St", "E St") it is spelled out, so "4 E St" and "4 East St" are the same key. The suffix is the last
 * word before a post-directional, abbreviated only when a name stays before it ("12 Park Ave" keeps PARK).
 */
function abbreviateStreet(tokens: string[]): string[] {
  const out = [...tokens];
  const first = /^\d/.test(at(out, 0)) ? 1 : 0;
  let last = out.length - 1;

  const post = directionalOf(at(out, last));
  const beforePost = at(out, last - 1);
  // After a unit word that formed no unit ("SUITE NORTH") it stays a word, else the next pass reads "STE N".
  if (last - first >= 2 && post && !directionalOf(beforePost) && !UNIT_DESIGNATORS[beforePost]) {
    out[last] = post;
    last--;
  }
  let nameEnd = last;
  const suffix = suffixOf(at(out, last));
  if (last - first >= 1 && suffix) {
    out[last] = suffix;
    nameEnd = last - 1;
  }
  const pre = first <= nameEnd ? directionalOf(at(out, first)) : undefined;
  if (pre && nameEnd > first) out[first] = pre;
  else if (pre && nameEnd === first) out[first] = DIRECTIONAL_WORDS[pre] ?? pre;
  return out;
}

/**
 * The comparison key of a street address: uppercase, no punctuation, single spaces, USPS abbreviations for
 * suffixes, directionals and unit designators, ordinal words as numbers. Idempotent.
 */
export function normalizeAddress(street: string): string {
  // One pass can leave work for the next in odd inputs ("0 Suite A##", "1 North # West": punctuation removed by
  // the first pass lets the second see a unit or a two-word directional), so the key is the pass's fixed point.
  // Real addresses settle in the first pass; the second only confirms it.
  let key = normalizeOnce(street);
  for (let i = 0; i < 4; i++) {
    const next = normalizeOnce(key);
    if (next === key) break;
    key = next;
  }
  return key;
}

function normalizeOnce(street: string): string {
  // Ordinals first, so "SUITE FIRST" and "STE 1ST" read the same in every pass.
  const tokens = mergeTwoWordDirectionals(cleanTokens(street)).map((t) => ORDINAL_WORDS[t] ?? t);
  if (tokens.length === 0) return '';
  const { end, unit } = splitUnit(tokens);
  // A '#' that starts no unit ("1 # North") is punctuation.
  const streetPart = abbreviateStreet(tokens.slice(0, end).filter((t) => t !== '#'));
  return [...streetPart, ...(unit ? [unit] : [])].join(' ');
}

/** A street line read into its USPS Publication 28 parts. */
export interface ParsedStreet {
  /** The primary number(s): "123", "123-125", "123 1/2", the grid "N123 W4567"; null when there is none. */
  number: string | null;
  /** The street name with its directionals and suffix, USPS-abbreviated ("N LAMAR BLVD"); null when none is left. */
  street: string | null;
  /** The secondary units, leading ("#5 123 Main St") or trailing ("Elm St Apt 3"), normalized ("UNIT 5"). */
  unit: string | null;
}

/** A primary number token: digits with an optional letter suffix or range, a fraction, a grid number ("N123"). */
const PRIMARY_NUMBER = /^(?:[NSEW]?\d+[A-Z]?(?:-\d+[A-Z]?)?|\d+\/\d+)$/;
const ORDINAL_NUMBER = /^\d+(?:ST|ND|RD|TH)$/;

/**
 * Reads a street line into primary number, street name and units (Publication 28 §2: [primary number]
 * [predirectional] street name [suffix] [postdirectional] [secondary unit]). Units before the number — "#5 123 Main
 * St", "Apt 3 45 Elm St" — are read as units too. An ordinal ("5TH AVE") is a street name, never a number; a line of
 * numbers only ("1234", "12 34") has no street. The street is what a preview may show: it never holds the number.
 */
export function parseStreet(line: string): ParsedStreet {
  const tokens = mergeTwoWordDirectionals(cleanTokens(line.replace(/,/g, ' '))).map((t) => ORDINAL_WORDS[t] ?? t);
  const units: string[] = [];
  const numbers: string[] = [];
  let i = 0;
  for (;;) {
    const t = at(tokens, i);
    if (t === '') break;
    const designator = t === '#' ? 'UNIT' : UNIT_DESIGNATORS[t];
    const value = at(tokens, i + 1);
    if (designator && !UNIT_WITHOUT_NUMBER.has(designator) && isUnitValue(value)) {
      units.push(`${designator} ${value}`);
      i += 2;
    } else if (PRIMARY_NUMBER.test(t) && !ORDINAL_NUMBER.test(t) && (/^\d/.test(t) || numbers.length > 0 || PRIMARY_NUMBER.test(value))) {
      // A grid prefix ("N123") counts only before another number, so "N 5th" or a lone "E12" stays a name.
      numbers.push(t);
      i += 1;
    } else break;
  }
  const rest = tokens.slice(i);
  const { end, unit } = splitUnit(rest);
  if (unit) units.push(unit);
  const words = rest.slice(0, end).filter((t) => t !== '#');
  // abbreviateStreet reads a leading number as the house number; here the number is already split off.
  const street = abbreviateStreet(['0', ...words]).slice(1);
  const named = street.some((t) => !PRIMARY_NUMBER.test(t) || ORDINAL_NUMBER.test(t));
  return {
    number: numbers.length ? numbers.join(' ') : null,
    street: named ? street.join(' ') : null,
    unit: units.length ? units.join(' ') : null,
  };
}

export interface ParsedAddressLine {
  street: string;
  city?: string;
  state?: string;
  zip?: string;
}

const STATE_CODES = new Set([
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA', 'ME',
  'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI',
  'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'PR', 'VI', 'GU', 'AS', 'MP',
]);

const STATE_NAMES: Record<string, string> = {
  ALABAMA: 'AL', ALASKA: 'AK', ARIZONA: 'AZ', ARKANSAS: 'AR', CALIFORNIA: 'CA', COLORADO: 'CO', CONNECTICUT: 'CT',
  DELAWARE: 'DE', 'DISTRICT OF COLUMBIA': 'DC', FLORIDA: 'FL', GEORGIA: 'GA', HAWAII: 'HI', IDAHO: 'ID',
  ILLINOIS: 'IL', INDIANA: 'IN', IOWA: 'IA', KANSAS: 'KS', KENTUCKY: 'KY', LOUISIANA: 'LA', MAINE: 'ME',
  MARYLAND: 'MD', MASSACHUSETTS: 'MA', MICHIGAN: 'MI', MINNESOTA: 'MN', MISSISSIPPI: 'MS', MISSOURI: 'MO',
  MONTANA: 'MT', NEBRASKA: 'NE', NEVADA: 'NV', 'NEW HAMPSHIRE': 'NH', 'NEW JERSEY': 'NJ', 'NEW MEXICO': 'NM',
  'NEW YORK': 'NY', 'NORTH CAROLINA': 'NC', 'NORTH DAKOTA': 'ND', OHIO: 'OH', OKLAHOMA: 'OK', OREGON: 'OR',
  PENNSYLVANIA: 'PA', 'RHODE ISLAND': 'RI', 'SOUTH CAROLINA': 'SC', 'SOUTH DAKOTA': 'SD', TENNESSEE: 'TN',
  TEXAS: 'TX', UTAH: 'UT', VERMONT: 'VT', VIRGINIA: 'VA', WASHINGTON: 'WA', 'WEST VIRGINIA': 'WV',
  WISCONSIN: 'WI', WYOMING: 'WY', 'PUERTO RICO': 'PR',
};

/** Two-letter state code of a state name or code, or undefined. */
export function toStateCode(value: string): string | undefined {
  const v = value.trim().toUpperCase().replace(/\./g, '').replace(/\s+/g, ' ');
  if (STATE_CODES.has(v)) return v;
  return STATE_NAMES[v];
}

/**
 * Splits a one-line US address — "1234 Oak Street, Austin, TX 78701-1234" — into street, city, state and ZIP5.
 * Works with or without commas between city and state; parts it cannot find are left out. The street is returned
 * as written (trimmed); call normalizeAddress for the key.
 */
export function parseAddressLine(line: string): ParsedAddressLine {
  let rest = line.trim().replace(/\s+/g, ' ').replace(/,?\s*(USA|US|UNITED STATES)\.?$/i, '');
  const result: ParsedAddressLine = { street: '' };

  const zipMatch = rest.match(/[,\s]+(\d{5})(?:-?\d{4})?$/);
  if (zipMatch) {
    result.zip = zipMatch[1];
    rest = rest.slice(0, zipMatch.index).trim();
  }
  const parts = rest.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return result;

  // State: the last part when it is a state, else the last word(s) of the last part ("Austin TX").
  const lastPart = at(parts, parts.length - 1);
  const wholeState = parts.length > 1 ? toStateCode(lastPart) : undefined;
  if (wholeState) {
    result.state = wholeState;
    parts.pop();
  } else {
    const words = lastPart.split(' ');
    for (const n of [2, 1]) {
      if (words.length <= n || parts.length < 2) continue;
      const code = toStateCode(words.slice(-n).join(' '));
      if (code) {
        result.state = code;
        parts[parts.length - 1] = words.slice(0, -n).join(' ');
        break;
      }
    }
  }

  if (parts.length >= 2) {
    result.city = parts.pop()!;
    result.street = parts.join(' ');
  } else {
    result.street = at(parts, 0);
  }
  return result;
}
