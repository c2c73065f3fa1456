import { readFileSync } from 'node:fs';

export interface SchemaModel {
  model: string;
  table: string;
  columns: { field: string; column: string; type: string; optional: boolean; list: boolean }[];
}

/**
 * Reads models from prisma/schema.prisma: table names (@@map), scalar and enum fields with their column
 * names (@map). Relation fields (typed by another model) are not columns and are skipped.
 */
export function readSchemaModels(file = 'prisma/schema.prisma'): SchemaModel[] {
  const src = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
  const blocks = [...src.matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(blocks.filter((b) => b[1] === 'model').map((b) => b[2]!));
  const models: SchemaModel[] = [];
  for (const [, kind, name, body] of blocks) {
    if (kind !== 'model') continue;
    const table = /@@map\("([^"]+)"\)/.exec(body!)?.[1] ?? name!;
    const columns: SchemaModel['columns'] = [];
    for (const raw of body!.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('@@')) continue;
      const m = /^(\w+)\s+(Unsupported\("[^"]*"\)|\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!m) continue;
      const [, field, type, list, optional, rest] = m;
      if (modelNames.has(type!)) continue;
      const column = /@map\("([^"]+)"\)/.exec(rest!)?.[1] ?? field!;
      columns.push({ field: field!, column, type: type!, optional: !!optional, list: !!list });
    }
    models.push({ model: name!, table, columns });
  }
  return models;
}
