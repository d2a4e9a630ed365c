/**
 * Expected bytes built field by field, each field named (pg-protocol's `BufferList`, mqtt-packet's
 * annotated fixtures): a layout test that fails says which field is wrong, not only that two long
 * hex strings differ. Independent of src/codec: every tag byte is written out here (erl_ext_dist).
 * @example
 *   const want = new AnnotatedBytes().version().tuple('outer', 2).int('bit', 16777216);
 *   expect(want.firstDifference(actual)).toBeUndefined();
 */
export class AnnotatedBytes {
  readonly #fields: { readonly label: string; readonly bytes: readonly number[] }[] = [];

  /** Raw bytes under a label. */
  raw(label: string, ...bytes: number[]): this {
    this.#fields.push({ label, bytes });
    return this;
  }

  /** A 4-byte big-endian length prefix (§5) — of the bytes added after it, filled in by `bytes()`. */
  frameLength(): this {
    this.#fields.push({ label: '<frame length>', bytes: [] });
    return this;
  }

  /** The version byte 131. */
  version(): this {
    return this.raw('<version 131>', 131);
  }

  /** SMALL_TUPLE_EXT header. */
  tuple(label: string, arity: number): this {
    return this.raw(`${label} (${arity}-tuple)`, 0x68, arity);
  }

  /** An integer as term_to_binary writes it: SMALL_INTEGER_EXT, INTEGER_EXT or SMALL_BIG_EXT. */
  int(label: string, value: number | bigint): this {
    const v = BigInt(value);
    if (v >= 0n && v <= 255n) return this.raw(label, 0x61, Number(v));
    if (v >= -(2n ** 31n) && v < 2n ** 31n) {
      const u = Number(BigInt.asUintN(32, v));
      return this.raw(label, 0x62, (u >>> 24) & 0xff, (u >>> 16) & 0xff, (u >>> 8) & 0xff, u & 0xff);
    }
    let mag = v < 0n ? -v : v;
    const digits: number[] = [];
    while (mag > 0n) {
      digits.push(Number(mag & 0xffn));
      mag >>= 8n;
    }
    return this.raw(label, 0x6e, digits.length, v < 0n ? 1 : 0, ...digits);
  }

  /** ATOM_EXT (latin-1), what the mock sends (§6.2). */
  atom(label: string, name: string): this {
    const bytes = [...Buffer.from(name, 'latin1')];
    return this.raw(`${label} ('${name}')`, 0x64, bytes.length >> 8, bytes.length & 0xff, ...bytes);
  }

  /** The atom `undefined` (an absent optional field). */
  undef(label: string): this {
    return this.atom(label, 'undefined');
  }

  /** BINARY_EXT of UTF-8 text. */
  binary(label: string, text: string): this {
    const bytes = [...Buffer.from(text, 'utf8')];
    const n = bytes.length;
    return this.raw(`${label} (<<"${text.length > 20 ? `${text.slice(0, 20)}…` : text}">>)`, 0x6d, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...bytes);
  }

  /** NIL_EXT (`[]`). */
  nil(label: string): this {
    return this.raw(`${label} ([])`, 0x6a);
  }

  /** LIST_EXT header of a proper list (its elements follow, then `nil`). */
  list(label: string, length: number): this {
    return this.raw(`${label} (list of ${length})`, 0x6c, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
  }

  /** The bytes, with a frame length filled in when `frameLength()` was called. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.#layout().flatMap((f) => f.bytes));
  }

  /**
   * Undefined when `actual` equals these bytes; otherwise which field differs first, with both
   * byte runs: `field 'event.usid' (bytes 57..58): expected 61 2a, got 6d 00`.
   */
  firstDifference(actual: Uint8Array): string | undefined {
    let offset = 0;
    for (const f of this.#layout()) {
      const got = [...actual.subarray(offset, offset + f.bytes.length)];
      if (got.length !== f.bytes.length || got.some((b, i) => b !== f.bytes[i])) {
        return `field '${f.label}' (bytes ${offset}..${offset + f.bytes.length - 1}): expected ${hex(f.bytes)}, got ${hex(got)}${got.length < f.bytes.length ? ' (input ended)' : ''}`;
      }
      offset += f.bytes.length;
    }
    return offset === actual.length ? undefined : `${actual.length - offset} bytes after the last field: ${hex([...actual.subarray(offset, offset + 16)])}`;
  }

  #layout(): { readonly label: string; readonly bytes: readonly number[] }[] {
    const total = this.#fields.reduce((n, f) => n + f.bytes.length, 0);
    return this.#fields.map((f) => (f.label === '<frame length>' ? { label: f.label, bytes: [(total >>> 24) & 0xff, (total >>> 16) & 0xff, (total >>> 8) & 0xff, total & 0xff] } : f));
  }
}

function hex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
