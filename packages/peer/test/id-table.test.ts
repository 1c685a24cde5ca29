import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdTable } from "../src/id-table.js";

const entry = (id: number) => ({ id });

describe("IdTable", () => {
  it("finds an entry by its id and forgets it once deleted", () => {
    const table = new IdTable<{ id: number }>();
    const a = entry(7);
    table.add(a);
    expect(table.get(7)).toBe(a);
    expect(table.has(7)).toBe(true);
    expect(table.get(8)).toBeUndefined();
    expect(table.size).toBe(1);
    table.delete(7);
    expect(table.get(7)).toBeUndefined();
    expect(table.size).toBe(0);
  });

  it("keeps ids whose slot is taken apart from the slot's owner (1, 65 and 129 share a slot)", () => {
    const table = new IdTable<{ id: number }>();
    const [a, b, c] = [entry(1), entry(65), entry(129)];
    for (const e of [a, b, c]) table.add(e);
    expect([table.get(1), table.get(65), table.get(129)]).toEqual([a, b, c]);
    table.delete(1);
    expect(table.get(1)).toBeUndefined();
    expect(table.get(65)).toBe(b);
    table.delete(129);
    expect(table.get(129)).toBeUndefined();
    expect(table.get(65)).toBe(b);
    expect(table.size).toBe(1);
  });

  it("deleting an id that is not there changes nothing", () => {
    const table = new IdTable<{ id: number }>();
    const a = entry(3);
    table.add(a);
    table.delete(67); // same slot, other id
    table.delete(4);
    expect(table.get(3)).toBe(a);
    expect(table.size).toBe(1);
  });

  it("grows past its first slots and keeps every entry, ids up to 0xFFFFFFFF included", () => {
    const table = new IdTable<{ id: number }>();
    const ids = [0xffff_ffff, 0xffff_fffe, ...Array.from({ length: 1000 }, (_, i) => i * 3 + 1)];
    for (const id of ids) table.add(entry(id));
    expect(table.size).toBe(ids.length);
    for (const id of ids) expect(table.get(id)?.id).toBe(id);
    expect(
      table
        .values()
        .map((e) => e.id)
        .sort((x, y) => x - y),
    ).toEqual([...ids].sort((x, y) => x - y));
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(0xffff_ffff)).toBeUndefined();
  });

  it("agrees with a Map over any sequence of adds and deletes (property)", () => {
    const op = fc.record({ add: fc.boolean(), id: fc.integer({ min: 1, max: 400 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const table = new IdTable<{ id: number }>();
        const model = new Map<number, { id: number }>();
        for (const { add, id } of ops) {
          if (add && !model.has(id)) {
            const e = entry(id);
            table.add(e);
            model.set(id, e);
          } else if (!add) {
            table.delete(id);
            model.delete(id);
          }
          expect(table.size).toBe(model.size);
        }
        for (let id = 1; id <= 400; id++) expect(table.get(id)).toBe(model.get(id));
      }),
      { seed: 18, numRuns: 200 },
    );
  });
});
