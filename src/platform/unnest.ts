/**
 * Bulk writes as one statement: `INSERT INTO t (columns) SELECT … FROM unnest($1::text[], $2::text[], …)`.
 * Every array goes in as text[] and is cast per column in SQL: one parameter type for pg, exact for floats and
 * numerics. A column is its name, its SQL type and how to read it from a row, in one list so they cannot drift.
 */
export type UnnestColumn<R> = readonly [column: string, type: string, get: (r: R) => unknown];

export interface UnnestInsert {
  /** `"a", "b", …` — the INSERT's column list. */
  columns: string;
  /** `SELECT u.c0::type AS "a", … FROM unnest($1::text[], …) AS u(c0, …)`. */
  select: string;
  /** One text[] per column, in column order (`$1`, `$2`, …). */
  params: (string | null)[][];
}

export function unnestInsert<R>(columns: readonly UnnestColumn<R>[], rows: readonly R[]): UnnestInsert {
  const params = columns.map(([, , get]) =>
    rows.map((r) => {
      const v = get(r);
      return v === null || v === undefined ? null : String(v);
    }),
  );
  const selects = columns.map(([c, type], i) => `u.c${i}::${type} AS "${c}"`).join(', ');
  const unnests = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  return {
    columns: columns.map(([c]) => `"${c}"`).join(', '),
    select: `SELECT ${selects} FROM unnest(${unnests}) AS u(${aliases})`,
    params,
  };
}
