/**
 * The schema model: what the mock knows of a user's data models (YANG modules or compiled `.fxs`
 * files) — enough to hash tags the way NSO's compiler does (MAAPI.md §M6.8), to serve schema
 * loading over MAAPI (§M6.2–§M6.4), to resolve keypaths like `/mk:sys/host{h1}/address` and to
 * type their values (PROTOCOL.md §9.4).
 *
 * This file is the contract between the schema layer (which builds a `Schema` from files) and its
 * users (the MAAPI server, the scenario loader): both code against these types only.
 */

/** One YANG module's namespace as NSO reports it in LOAD_ALL_NS (§M6.2 `{ns, Uri, Prefix, NsHash, Rev, Module}`). */
export interface SchemaNamespace {
  readonly uri: string;
  readonly prefix: string;
  readonly module: string;
  /** `YYYY-MM-DD` of the newest `revision`, when the module has one. */
  readonly revision?: string;
  /** `phash2(uri)`, or the `.fxs` file's own value (which `tailf:id-value` can override). */
  readonly hash: number;
}

/** The data-node kinds MAAPI exposes; choice and case are not data nodes and live on `SchemaNode.choices`. */
export type SchemaNodeKind = 'container' | 'list' | 'leaf' | 'leaf-list';

/**
 * A leaf's (or leaf-list's) type, resolved through typedefs down to a YANG built-in type.
 * `confdType` is the `C_*` value type a read returns (codec `C_TYPE`: 5 BUF for string, 11 UINT16, ...).
 */
export interface SchemaLeafType {
  /** The YANG built-in type after resolving typedefs: `string`, `uint16`, `boolean`, `enumeration`, `inet:ipv4-address` resolves to `string`... */
  readonly base: string;
  /** Name of the typedef used directly on the leaf (`inet:port-number`), when there is one. */
  readonly typedef?: string;
  readonly confdType: number;
  /** For `enumeration`: the names and their values (explicit `value` or YANG's implicit numbering). */
  readonly enums?: readonly { readonly name: string; readonly value: number }[];
  /** For `decimal64`. */
  readonly fractionDigits?: number;
  /** For `union`: the member types in order. */
  readonly members?: readonly SchemaLeafType[];
  /** For `bits`: the names and their positions (explicit `position` or YANG's implicit numbering). */
  readonly bits?: readonly { readonly name: string; readonly position: number }[];
  /**
   * For `identityref`: every identity derived (directly or not) from the `base`, with the hashes of
   * its C_IDENTITYREF value `{44, {NsHash, IdHash}}` (PROTOCOL.md §9.4).
   */
  readonly identities?: readonly SchemaIdentity[];
  /** For `leafref`: the `path` as written (the type fields above are the target leaf's). */
  readonly path?: string;
}

/** An identity as an identityref value names it. */
export interface SchemaIdentity {
  readonly name: string;
  /** The defining module's prefix (`prefix:name` is how a value is written). */
  readonly prefix: string;
  readonly nsHash: number;
  /** `phash2(name)`. */
  readonly idHash: number;
}

/** A `choice` (not a data node: its cases' nodes are the parent's children too), for LOAD_ALL_NS choice/case records. */
export interface SchemaChoice {
  readonly name: string;
  readonly tagHash: number;
  readonly cases: readonly SchemaCase[];
  readonly defaultCase?: string;
  /** The namespace of the module that defines the choice (LOAD_ALL_NS choice record's NsHash). */
  readonly ns?: SchemaNamespace;
  /** `mandatory true`. */
  readonly mandatory?: boolean;
  /** Where the choice was declared: `file:line:col`. */
  readonly source?: string;
}

/** One case of a choice (a shorthand case, a data node directly under the choice, is a case of its name). */
export interface SchemaCase {
  readonly name: string;
  readonly tagHash: number;
  /** The case's data nodes (also in the parent node's `children`), those of nested choices included. */
  readonly nodes: readonly SchemaNode[];
  /** Choices nested directly in this case. */
  readonly choices?: readonly SchemaChoice[];
  readonly ns?: SchemaNamespace;
}

/** A data node (container, list, leaf, leaf-list) with its tag hash, namespace, children and type. */
export interface SchemaNode {
  readonly kind: SchemaNodeKind;
  /** The YANG identifier. */
  readonly name: string;
  /** `phash2(name)` unless an `.fxs` file says otherwise (§M6.8). */
  readonly tagHash: number;
  /** The namespace of the module that defines the node (an augmenting module's for augmented nodes). */
  readonly ns: SchemaNamespace;
  /** Undefined for top-level nodes. */
  readonly parent?: SchemaNode;
  /** Data children in schema order, choices flattened in (each child of a case appears here too). */
  readonly children: readonly SchemaNode[];
  /** Choices directly under this node, for LOAD_ALL_NS choice/case records. */
  readonly choices: readonly SchemaChoice[];
  /** Lists only: the key leaves' names in `key` statement order. */
  readonly keys?: readonly string[];
  /** Leaves and leaf-lists only. */
  readonly type?: SchemaLeafType;
  /** A leaf's `default`, as written in the model (or inherited from its typedef). */
  readonly default?: string;
  /** A leaf's `mandatory true`. */
  readonly mandatory?: boolean;
  /** `config false` nodes are operational data. */
  readonly config: boolean;
  /** Containers: a `presence` statement. */
  readonly presence?: boolean;
  /** `min-elements` / `max-elements` for lists and leaf-lists (max undefined = unbounded). */
  readonly minElements?: number;
  readonly maxElements?: number;
  /** Where the node was declared, for error messages: `file:line:col`. */
  readonly source?: string;
}

/** A loaded set of models. */
export interface Schema {
  readonly namespaces: readonly SchemaNamespace[];
  /** Top-level data nodes of every module, in load order. */
  readonly roots: readonly SchemaNode[];
  /** Every tag name ↔ hash the models define (for LOAD_HASH_DB, §M6.4): data nodes, choices, cases. */
  readonly hashes: ReadonlyMap<string, number>;
  /** What the loader skipped or approximated (an unsupported statement, a leafref typed as string), each with `file:line:col`. */
  readonly warnings?: readonly string[];
}
