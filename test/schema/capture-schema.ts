/**
 * The model behind `maapi_nso62.jsonl` (MAAPI.md header): the capture gave its namespace and tags
 * made-up hashes (1912237357; 1001..1005), which `tailf:id-value` reproduces, so the schema layer's
 * output can be compared with the captured terms exactly. `address` was a C_BUF leaf there and
 * `port` a uint16.
 */
import { readFileSync } from 'node:fs';
import { loadSchema, type Schema } from '../../src/schema/index.js';
import { VECTORS_DIR } from '../support/vectors.js';

export const CAPTURE_YANG = `module mock {
  namespace "http://example.com/mock";
  prefix mk;
  import tailf-common { prefix tailf; }
  tailf:id-value 1912237357;
  revision 2024-01-01;
  container sys {
    tailf:id-value 1001;
    list host {
      tailf:id-value 1002;
      key name;
      leaf name { type string; tailf:id-value 1003; }
      leaf address { type string; tailf:id-value 1004; }
      leaf port { type uint16; tailf:id-value 1005; }
    }
  }
}
`;

export function captureSchema(): Schema {
  return loadSchema([{ path: 'mock.yang', text: CAPTURE_YANG }]);
}

/** One step of `maapi_nso62.jsonl` (vectors README). */
export interface MaapiVector {
  readonly scenario: string;
  readonly step: number;
  readonly op: string;
  readonly op_code?: number;
  readonly direction: string;
  readonly thandle?: number;
  readonly term?: string;
  readonly hex: string;
}

let cached: readonly MaapiVector[] | undefined;

export function loadMaapiVectors(): readonly MaapiVector[] {
  cached ??= readFileSync(new URL('maapi_nso62.jsonl', VECTORS_DIR), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MaapiVector);
  return cached;
}
