/**
 * Typed loaders for the shared, Erlang-produced protocol vectors in `shared/protocol/vectors/`
 * (see its README.md for every field), read from the copy vendored in test/fixtures/shared/
 * (shared-dir.ts says why); the path is resolved relative to this file, not to the working directory.
 *
 * Every loader parses its file once and returns the same frozen array afterwards.
 */
import { readFileSync } from 'node:fs';
import { SHARED_DIR } from './shared-dir.js';

/** The vectors folder (the vendored copy of `shared/protocol/vectors/`, see shared-dir.ts). */
export const VECTORS_DIR: URL = new URL('protocol/vectors/', SHARED_DIR);

/** Fields common to every JSON-lines vector that carries a term. */
export interface TermVector {
  readonly name: string;
  /** The term in Erlang syntax, as Erlang prints it (parse with `parseErlangTerm`). */
  readonly term: string;
  /** `term_to_binary/1` on OTP 25 (ATOM_EXT atoms). */
  readonly etf_hex: string;
  /** `term_to_binary(T, [{minor_version, 2}])` (absent on decode-only primitives). */
  readonly etf_hex_utf8_atoms?: string;
  readonly notes?: string;
}

/** `etf_primitives.jsonl`. */
export interface EtfPrimitiveVector extends TermVector {
  /** `'decode_only'`: a legal input that `term_to_binary` never produces; compare re-encoding with `reencoded_etf_hex`. */
  readonly direction?: 'decode_only';
  readonly reencoded_etf_hex?: string;
}

/** `malformed.jsonl`. */
export interface MalformedVector {
  readonly name: string;
  readonly etf_hex: string;
  readonly frame_hex: string;
  /** What `binary_to_term/1` said, e.g. `{error,badarg}` or `{ok,1}`. */
  readonly erlang_binary_to_term: string;
  readonly strict_mock: string;
  readonly lenient_mock: string;
  readonly notes: string;
}

/** `notifications.jsonl` and `notifications_6x_inferred.jsonl`. */
export interface NotificationVector extends TermVector {
  readonly mask_bit: number;
  readonly mask_name: string;
  readonly etf_hex_utf8_atoms: string;
  readonly frame_hex: string;
  /** Python's `read_notification()` result; `null` when the shape never reaches a C/Python client. */
  readonly python_dict: Record<string, unknown> | null;
  readonly python_dict_nso57?: Record<string, unknown>;
  readonly python_dict_documented?: Record<string, unknown>;
  readonly java?: string;
  readonly ack?: string;
  readonly status: string;
  /** Only in the 6.x file. */
  readonly confidence?: string;
}

/** `client_messages.jsonl`: subscriptions and acks, each in every producer's encoding. */
export interface ClientMessageVector extends TermVector {
  readonly origin: string;
  readonly etf_hex_utf8_atoms: string;
  readonly etf_hex_c_style: string;
  readonly etf_hex_java_style: string;
  readonly frame_hex: string;
  readonly meaning?: Record<string, unknown> | string;
}

/** `server_replies.jsonl`. */
export interface ServerReplyVector extends TermVector {
  readonly etf_hex_utf8_atoms: string;
  readonly frame_hex: string;
  readonly status: string;
  readonly meaning?: Record<string, unknown>;
}

/** `handshake.json`. Field values are as in the file (hex strings, `lib_vsn` as `"0x07070100"`). */
export interface HandshakeVectors {
  readonly description: string;
  readonly connect_headers: readonly {
    readonly name: string;
    readonly origin: string;
    readonly hex: string;
    readonly fields: Readonly<Record<string, number | string | boolean>>;
  }[];
  readonly server_replies: readonly {
    readonly name: string;
    readonly hex: string;
    readonly fields?: Readonly<Record<string, number | string>>;
    readonly notes?: string;
  }[];
  readonly access_check: readonly {
    readonly name: string;
    readonly used_by: string;
    readonly secret_file_bytes_hex: string;
    readonly server_challenge_hex: string;
    readonly client_response_hex: string;
    readonly server_ok_hex: string;
    readonly computation: string;
  }[];
  readonly full_exchange_example: {
    readonly description: string;
    readonly client_to_server_hex: readonly string[];
    readonly server_to_client_hex: readonly string[];
    readonly order: readonly string[];
  };
}

const cache = new Map<string, unknown>();

function readText(file: string): string {
  return readFileSync(new URL(file, VECTORS_DIR), 'utf8');
}

function jsonLines<T>(file: string): readonly T[] {
  let parsed = cache.get(file) as readonly T[] | undefined;
  if (parsed === undefined) {
    parsed = Object.freeze(
      readText(file)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line, i) => {
          try {
            return JSON.parse(line) as T;
          } catch (error) {
            throw new Error(`Failed to load vectors: ${file} line ${i + 1} is not JSON`, { cause: error });
          }
        }),
    );
    cache.set(file, parsed);
  }
  return parsed;
}

/** `etf_primitives.jsonl`: one-tag encoding checks (34 entries, 8 of them decode-only). */
export function loadEtfPrimitives(): readonly EtfPrimitiveVector[] {
  return jsonLines<EtfPrimitiveVector>('etf_primitives.jsonl');
}

/** `malformed.jsonl`: `bad.*` (rejected by Erlang) and `odd.*` (accepted by Erlang) payloads. */
export function loadMalformed(): readonly MalformedVector[] {
  return jsonLines<MalformedVector>('malformed.jsonl');
}

/** `notifications.jsonl`: every NSO 5.7.1 notification type and variant (§11). */
export function loadNotifications(): readonly NotificationVector[] {
  return jsonLines<NotificationVector>('notifications.jsonl');
}

/** `notifications_6x_inferred.jsonl`: inferred NSO 6.x layouts (read `status` and `confidence`). */
export function loadNotifications6x(): readonly NotificationVector[] {
  return jsonLines<NotificationVector>('notifications_6x_inferred.jsonl');
}

/** `notifications_nso62.jsonl`, a `server_to_client` line: one frame and what NSO 6.2.5 made of it. */
export interface Nso62NotificationVector {
  readonly name: string;
  readonly direction: 'server_to_client';
  /** The mock's kebab-case type name. */
  readonly type: string;
  readonly bit: number;
  readonly term: string;
  readonly etf_hex: string;
  readonly frame_hex: string;
  /** `read_notification()` of the real 6.2.5 Python binding (vectors README: python_dict_nso62 conventions). */
  readonly python_dict_nso62: Record<string, unknown>;
  readonly java_nso62: Record<string, unknown>;
  /** The frame the 6.2.5 C library wrote back (an ack), when it wrote one. */
  readonly ack_frame_hex_nso62?: string;
  readonly java_ack_etf_hex?: string;
  /** Set on frames that are NOT 6.2.5 layouts (5.7, guessed or econfd forms): what is wrong with them. */
  readonly wrong_layout?: string;
}

/** `notifications_nso62.jsonl`, a `client_to_server` line: bytes the 6.2.5 libraries sent. */
export interface Nso62ClientVector {
  readonly name: string;
  readonly direction: 'client_to_server';
  readonly library: string;
  readonly term?: string;
  readonly etf_hex?: string;
  readonly frame_hex?: string;
  /** The unframed connect header. */
  readonly raw_hex?: string;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly after_vector?: string;
  readonly refused_client_side?: unknown;
}

/** `notifications_nso62.jsonl`: NSO 6.2.5, produced by running the real libraries (NSO62.md). */
export function loadNotificationsNso62(): readonly (Nso62NotificationVector | Nso62ClientVector)[] {
  return jsonLines<Nso62NotificationVector | Nso62ClientVector>('notifications_nso62.jsonl');
}

/** The 6.2.5 layouts of `notifications_nso62.jsonl` (server frames without `wrong_layout`). */
export function loadNso62Layouts(): readonly Nso62NotificationVector[] {
  return loadNotificationsNso62().filter((v): v is Nso62NotificationVector => v.direction === 'server_to_client' && v.wrong_layout === undefined);
}

/** The frames of `notifications_nso62.jsonl` that are NOT 6.2.5 layouts (`wrong_layout` set). */
export function loadNso62WrongLayouts(): readonly Nso62NotificationVector[] {
  return loadNotificationsNso62().filter((v): v is Nso62NotificationVector => v.direction === 'server_to_client' && v.wrong_layout !== undefined);
}

/**
 * Entries of `notifications_6x_inferred.jsonl` that NSO62.md contradicts (it wins): the guessed
 * progress 15-tuple order is wrong for 6.2.5 (`wrong6x.progress_guessed_order` shows why).
 */
export const SUPERSEDED_6X_VECTORS: readonly string[] = ['progress.span_based_guess'];

/** The inferred 6.x entries that still stand (call-home 3, compaction): the nso66 profile's extras. */
export function loadNotifications66(): readonly NotificationVector[] {
  return loadNotifications6x().filter((v) => !SUPERSEDED_6X_VECTORS.includes(v.name));
}

/** `client_messages.jsonl`: subscription requests (§8) and acks (§12). */
export function loadClientMessages(): readonly ClientMessageVector[] {
  return jsonLines<ClientMessageVector>('client_messages.jsonl');
}

/** `server_replies.jsonl`: subscription replies (§8.4). */
export function loadServerReplies(): readonly ServerReplyVector[] {
  return jsonLines<ServerReplyVector>('server_replies.jsonl');
}

/** `handshake.json`: connect headers, version replies, access-check exchanges (§2–§4). */
export function loadHandshake(): HandshakeVectors {
  let parsed = cache.get('handshake.json') as HandshakeVectors | undefined;
  if (parsed === undefined) {
    parsed = JSON.parse(readText('handshake.json')) as HandshakeVectors;
    cache.set('handshake.json', parsed);
  }
  return parsed;
}

/** One valid encoding of a term, with where it came from (for test names). */
export interface TermEncoding {
  /** `<file>:<name>:<field>`, e.g. `notifications.jsonl:audit.cli_command:etf_hex`. */
  readonly label: string;
  /** The Erlang text of the term. */
  readonly term: string;
  readonly hex: string;
}

/**
 * Every valid term encoding in every vector file (`etf_hex`, `etf_hex_utf8_atoms`, `etf_hex_c_style`,
 * `etf_hex_java_style`, `reencoded_etf_hex`), each with its Erlang text. Malformed payloads are not included.
 */
export function allTermEncodings(): readonly TermEncoding[] {
  const out: TermEncoding[] = [];
  const files: [string, readonly TermVector[]][] = [
    ['etf_primitives.jsonl', loadEtfPrimitives()],
    ['notifications.jsonl', loadNotifications()],
    ['notifications_6x_inferred.jsonl', loadNotifications6x()],
    ['client_messages.jsonl', loadClientMessages()],
    ['server_replies.jsonl', loadServerReplies()],
  ];
  const fields = ['etf_hex', 'etf_hex_utf8_atoms', 'etf_hex_c_style', 'etf_hex_java_style', 'reencoded_etf_hex'] as const;
  for (const [file, vectors] of files) {
    for (const v of vectors) {
      const record = v as unknown as Record<string, unknown>;
      for (const field of fields) {
        const hex = record[field];
        if (typeof hex === 'string') out.push({ label: `${file}:${v.name}:${field}`, term: v.term, hex });
      }
    }
  }
  return out;
}

/**
 * Hex text to bytes. Whitespace is ignored, so `'0b 00 4d'` works.
 * @throws Error on odd length or a non-hex character (a broken fixture, not input).
 */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`Failed to parse hex: ${JSON.stringify(hex)}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Bytes to lower-case hex text, no separators (the vectors' format). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
