/**
 * The one definition of the scenario format, written with TypeBox. Everything else derives from it:
 * - `scenario.schema.json` (shipped; `nso-mock schema` prints it) is {@link buildScenarioJsonSchema};
 *   `test/scenarios/schema.test.ts` fails when the committed file differs from a fresh build.
 * - The loader validates with Ajv against that JSON, one definition at a time (`step-<kind>`,
 *   `emit-<type>`, `fault-<kind>`), so every error speaks about one step kind and one type.
 * - The document types of scenario.ts are checked against `Static<…>` of these schemas at compile
 *   time (the `typeCheck` calls at the end), so the types and the schema cannot drift apart.
 *
 * The TypeBox values stay private to this module (`isolatedDeclarations` would need their large
 * inferred types spelled out to export them); only plain JSON leaves it. This module is loaded only
 * to build the schema (tests, tooling), never on the CLI's startup path.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import {
  CALL_HOME_EVENTS,
  COMMIT_FAILED_PROVIDERS,
  COMMIT_FLAGS,
  COMPACTION_DBFILES,
  COMPACTION_EVENTS,
  CONFIRMED_COMMIT_EVENTS,
  CQ_PROGRESS_EVENTS,
  C_TYPE,
  DATASTORES,
  FORWARD_EVENTS,
  HA_ERRORS,
  HA_EVENTS,
  NOTIFICATION_TYPES,
  PROFILE_SETTINGS,
  PROGRESS_EVENTS,
  PROTOS,
  SNMP_PDU_TYPES,
  SNMP_VARBIND_KINDS,
  SNMP_VARTYPES,
  STREAM_EVENTS,
  SUBAGENT_EVENTS,
  SYSLOG_PRIOS,
  UPGRADE_EVENTS,
  USER_SESSION_EVENTS,
  XML_MARKERS,
  type ConfValueInput,
  type ConfdTypeName,
  type NotificationInput,
  type NotificationType,
  type TagValueInput,
} from '../codec/index.js';
import { violationCodes } from '../server/index.js';
import { DURATION_PATTERN, MAX_DURATION_TEXT } from './duration.js';
import {
  CHANGE_OPS,
  FAULT_KINDS,
  MASK_FLAG_NAMES,
  SCENARIO_SCHEMA_ID,
  STEP_KINDS,
  type AwaitSubscribersBody,
  type DateTimeDocument,
  type EmitStepOptions,
  type EmitRawBody,
  type ExpectAckBody,
  type ExpectNoAckBody,
  type ExpectViolationBody,
  type FaultBody,
  type FuzzBody,
  type MaskName,
  type RepeatBody,
  type ScenarioDefaults,
  type ScenarioDocument,
  type ScenarioOptionsDocument,
  type StepDocument,
  type StepKind,
  type StreamBody,
  type StreamEventDocument,
  type SubscriberSelector,
} from './scenario.js';
import { extensionStepKinds, scenarioExtensions } from './steps/extensions.js';

// ---------------------------------------------------------------------------------------------
// Named definitions and typed references
// ---------------------------------------------------------------------------------------------

const definitions: Record<string, TSchema> = {};

/** Adds a named definition and returns a `$ref` to it that keeps the static type. */
function define<T extends TSchema>(name: string, schema: T): TUnsafe<Static<T>> {
  if (name in definitions) throw new Error(`schema definition ${name} defined twice`);
  definitions[name] = schema;
  return ref<Static<T>>(name);
}

/** A `$ref` to a named definition, typed as `T` (also for definitions made later: recursion). */
function ref<T>(name: string): TUnsafe<T> {
  return Type.Unsafe<T>(Type.Ref(`#/definitions/${name}`));
}

/** A string enum; `Unsafe` keeps the JSON to one `enum` keyword (a union of literals is noisy). */
function names<const K extends string>(values: readonly K[], options: Record<string, unknown> = {}): TUnsafe<K> {
  return Type.Unsafe<K>({ type: 'string', enum: [...values], ...options });
}

/** An enum field of a NotificationInput (`EnumInput`): a name of the table or its number. */
function enumInput<T extends Readonly<Record<string, number>>>(table: T, name: string): TUnsafe<keyof T | number> {
  // Several fields share one table (commit-failed's event and provider): one definition each.
  if (name in definitions) return ref<keyof T | number>(name);
  return define(name, Type.Union([names(Object.keys(table) as (keyof T & string)[]), Type.Integer()], { title: name })) as TUnsafe<
    keyof T | number
  >;
}

// ---------------------------------------------------------------------------------------------
// Leaves
// ---------------------------------------------------------------------------------------------

const Duration = define(
  'duration',
  // A pattern cannot bound the sum of `1h30m…`, so the string branch's maximum is the loader's
  // (validate.ts adds it to its own Ajv); the number branch carries it here for editors too.
  // A bare number is refused (validate.ts says "add a unit: 5s, 200ms"): `within: 5` read as 5 ms
  // where 5 s was meant is the mistake units prevent. A bare 0 means the same in every unit.
  Type.Union([Type.Literal(0), Type.String({ pattern: DURATION_PATTERN })], {
    title: 'duration',
    description: `A number with a unit: 250ms, 2s, 1.5s, 1m30s, 1h (a bare 0 is allowed). At most ${MAX_DURATION_TEXT}.`,
  }),
);

const DATE_TIME_PATTERN =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?$';

const IsoDateTime = define(
  'iso-date-time',
  Type.String({
    pattern: DATE_TIME_PATTERN,
    title: 'iso-date-time',
    description: 'ISO-8601 date and time, e.g. 2026-01-01T00:00:00Z (no offset = no timezone).',
  }),
);

const DateTimeValue = define(
  'date-time',
  Type.Union(
    [
      IsoDateTime,
      Type.Object(
        {
          year: Type.Optional(Type.Integer()),
          month: Type.Optional(Type.Integer({ minimum: 1, maximum: 12 })),
          day: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
          hour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
          min: Type.Optional(Type.Integer({ minimum: 0, maximum: 59 })),
          sec: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
          micro: Type.Optional(Type.Integer({ minimum: 0, maximum: 999_999 })),
          timezone: Type.Optional(Type.Union([Type.Integer({ minimum: -14, maximum: 14 }), Type.Null()])),
          timezone_minutes: Type.Optional(Type.Integer({ minimum: -59, maximum: 59 })),
        },
        { additionalProperties: false },
      ),
    ],
    { title: 'date-time', description: 'ISO-8601 text or the fields of a DateTime (PROTOCOL.md §9.3).' },
  ),
);

const IpAddress = define(
  'ip-address',
  Type.String({
    // The shape only (digits and dots, or hex and colons); the codec checks the value (PROTOCOL.md §9.2).
    pattern: '^(?:[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)$',
    title: 'ip-address',
    description: 'An IPv4 or IPv6 address in text form (PROTOCOL.md §9.2).',
  }),
);

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Usid = Type.Integer({ description: 'A user session id (0 = none).' });
const Text = Type.String();

/** Microsecond timestamps: a number, or ISO text (`ProgressInput.timestamp`). */
const MicrosTimestamp = define('timestamp', Type.Union([Type.Integer({ minimum: 0 }), IsoDateTime], { title: 'timestamp' }));

const UserInfo = define(
  'uinfo',
  Type.Object(
    {
      usid: Type.Optional(Usid),
      username: Type.Optional(Text),
      clearpass: Type.Optional(Text),
      context: Type.Optional(Text),
      proto: Type.Optional(enumInput(PROTOS, 'proto')),
      addr: Type.Optional(IpAddress),
      port: Type.Optional(Port),
      logintime: Type.Optional(Type.Integer()),
      snmp_v3_ctx: Type.Optional(Text),
      flags: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    { additionalProperties: false, description: 'User info (PROTOCOL.md §9.1); unset fields come from defaults.uinfo.' },
  ),
);

const Datastore = enumInput(DATASTORES, 'datastore');

const MaskNameRef = define(
  'mask-name',
  names<MaskName>([...NOTIFICATION_TYPES, ...MASK_FLAG_NAMES], {
    title: 'mask-name',
    description: 'A notification type or a flag of the subscription mask (PROTOCOL.md §10.1).',
  }),
);

const NotificationTypeRef = define('notification-type', names<NotificationType>(NOTIFICATION_TYPES, { title: 'notification-type' }));

const ConfValue = define(
  'conf-value',
  Type.Union(
    [
      Text,
      Type.Boolean(),
      Type.Number(),
      Type.Array(ref<ConfValueInput>('conf-value')),
      Type.Object(
        {
          confd_type: Type.Union([
            names(Object.keys(C_TYPE).map((k) => k.toLowerCase().replaceAll('_', '-')) as ConfdTypeName[]),
            Type.Integer(),
          ]),
          value: Type.Optional(Type.Unknown()),
          fraction_digits: Type.Optional(Type.Integer({ minimum: 0, maximum: 18 })),
        },
        { additionalProperties: false },
      ),
    ],
    { title: 'conf-value', description: 'A confd value (PROTOCOL.md §9.4): text, boolean, number, list or { confd_type, value }.' },
  ),
);

const TagValue = define(
  'tag-value',
  Type.Object(
    {
      ns: Type.Optional(Type.Union([Type.Integer(), Text])),
      tag: Type.Union([Type.Integer(), Text]),
      v: Type.Optional(ConfValue),
      xml: Type.Optional(names(Object.keys(XML_MARKERS) as (keyof typeof XML_MARKERS)[])),
    },
    { additionalProperties: false, description: 'One {Tag, Value} of a tag-value list (PROTOCOL.md §9.5).' },
  ),
);

const Selector = define(
  'subscriber-selector',
  Type.Union(
    [
      names(['all', 'first', 'last']),
      Type.Object({ index: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
      Type.Object({ connection: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
      Type.Object({ 'subscribed-to': Type.Array(MaskNameRef, { minItems: 1 }) }, { additionalProperties: false }),
    ],
    {
      title: 'subscriber-selector',
      description:
        'Which subscribers: all, first, last, { index: n } (subscription order, from 0), { connection: id } or { subscribed-to: [types] }.',
    },
  ),
);

const WaitAck = define(
  'wait-ack',
  Type.Union([Type.Boolean(), Duration], {
    title: 'wait-ack',
    description: 'Block the step until every recipient that must ack has acked: true (options.ack-timeout) or a time limit.',
  }),
);

// ---------------------------------------------------------------------------------------------
// Notifications, one schema per type (PROTOCOL.md §11). Field names are the Python dict keys.
// ---------------------------------------------------------------------------------------------

const TransactionChange = define(
  'transaction-change',
  Type.Object(
    {
      path: Type.String({ minLength: 1, description: 'The keypath, e.g. /mk:sys/host{h1}/address (the first step with its module prefix).' }),
      op: names(CHANGE_OPS, { description: 'MOP_* of the diff item (MAAPI.md §M4.3).' }),
      value: Type.Optional(Type.Unknown({ description: 'value-set: the new value; moved-after: the keys of the entry it now follows (none = first); attr-set: { attr, value }.' })),
      'old-value': Type.Optional(Type.Unknown({ description: 'Kept for the report; MAAPI sends no old values (MAAPI.md §M4.3).' })),
    },
    { additionalProperties: false, title: 'transaction-change', description: 'One change of the transaction, in diff_iterate order (docs/maapi.md).' },
  ),
);

const TransactionData = define(
  'transaction-data',
  Type.Record(Type.String(), Type.Unknown(), {
    title: 'transaction-data',
    description: 'The configuration a MAAPI client attached to the th reads: path: value (leaves), a list for a leaf-list, null for an entry or container. Default: what the changes imply.',
  }),
);

function notification<const T extends NotificationType, P extends Record<string, TSchema>>(type: T, properties: P, description: string) {
  return Type.Object(
    { type: Type.Literal(type), ...properties, 'wait-ack': Type.Optional(WaitAck) },
    { additionalProperties: false, description },
  );
}

const syslogFields = {
  logno: Type.Optional(Type.Integer()),
  prio: Type.Optional(enumInput(SYSLOG_PRIOS, 'syslog-priority')),
  msg: Type.Optional(Text),
};

const CommitFlags = define(
  'commit-flags',
  Type.Union(
    [Type.Integer({ minimum: 0 }), Type.Array(Type.Union([names(Object.keys(COMMIT_FLAGS) as (keyof typeof COMMIT_FLAGS)[]), Type.Integer()]))],
    { title: 'commit-flags' },
  ),
);

const ProgressEvent = enumInput(PROGRESS_EVENTS, 'progress-event');

const progressFields = {
  event: Type.Optional(ProgressEvent),
  timestamp: Type.Optional(MicrosTimestamp),
  duration: Type.Optional(Type.Integer({ minimum: 0 })),
  usid: Type.Optional(Usid),
  tid: Type.Optional(Type.Integer()),
  datastore: Type.Optional(Datastore),
  db: Type.Optional(Datastore),
  context: Type.Optional(Text),
  trace_id: Type.Optional(Text),
  subsystem: Type.Optional(Text),
  phase: Type.Optional(Text),
  msg: Type.Optional(Text),
  annotation: Type.Optional(Text),
  service: Type.Optional(Text),
  service_phase: Type.Optional(Text),
  commit_queue_id: Type.Optional(Type.Integer({ minimum: 0 })),
  node: Type.Optional(Text),
  device: Type.Optional(Text),
  device_phase: Type.Optional(Text),
  package: Type.Optional(Text),
  span_id: Type.Optional(Text),
  parent_span_id: Type.Optional(Text),
  attributes: Type.Optional(
    Type.Array(Type.Object({ name: Text, value: Type.Union([Text, Type.Number()]) }, { additionalProperties: false })),
  ),
  links: Type.Optional(Type.Array(Type.Object({ trace_id: Text, span_id: Text }, { additionalProperties: false }))),
};

const Devices = Type.Array(Text);

const HaError = enumInput(HA_ERRORS, 'ha-error');
const ZeroOrOne = Type.Union([Type.Integer({ minimum: 0, maximum: 1 }), Type.Boolean()]);

const emitSchemas = {
  audit: notification('audit', { logno: Type.Optional(Type.Integer()), user: Type.Optional(Text), usid: Type.Optional(Usid), msg: Type.Optional(Text) },
    'Audit log line (§11.1); acked with {Usid, synced} when the subscriber has audit-sync.'),
  daemon: notification('daemon', syslogFields, 'Daemon log line (§11.2).'),
  'commit-simple': notification('commit-simple', {
    database: Type.Optional(Datastore),
    db: Type.Optional(Datastore),
    uinfo: Type.Optional(UserInfo),
    diff_available: Type.Optional(ZeroOrOne),
    flags: Type.Optional(CommitFlags),
  }, 'A commit happened (§11.3).'),
  'commit-diff': notification('commit-diff', {
    database: Type.Optional(Datastore),
    db: Type.Optional(Datastore),
    uinfo: Type.Optional(UserInfo),
    th: Type.Optional(Type.Integer({ description: 'Transaction handle; every recipient acks with {TH, done}.' })),
    flags: Type.Optional(CommitFlags),
    comment: Type.Optional(Text),
    label: Type.Optional(Text),
    changes: Type.Optional(Type.Array(TransactionChange, { description: 'What MAAPI diff_iterate on th streams, in order (docs/maapi.md).' })),
    data: Type.Optional(TransactionData),
  }, 'A commit waits for its diff subscribers (§11.4); every recipient must ack with {TH, done}. changes/data: its transaction for MAAPI clients (docs/maapi.md).'),
  'user-session': notification('user-session', {
    event: Type.Optional(enumInput(USER_SESSION_EVENTS, 'user-session-event')),
    uinfo: Type.Optional(UserInfo),
    database: Type.Optional(Datastore),
    db: Type.Optional(Datastore),
  }, 'User session start/stop/lock/unlock (§11.5).'),
  'ha-info': notification('ha-info', {
    event: enumInput(HA_EVENTS, 'ha-event'),
    noprimary: Type.Optional(HaError),
    nomaster: Type.Optional(HaError),
    node: Type.Optional(Type.Object({ nodeid: Type.Optional(ConfValue), addr: Type.Optional(IpAddress), str: Type.Optional(Text) }, { additionalProperties: false })),
    cdb_initialized_by_copy: Type.Optional(ZeroOrOne),
    besecondary_result: Type.Optional(HaError),
    beslave_result: Type.Optional(HaError),
  }, 'HA state change (§11.6); acked with ha_synced when the subscriber has ha-info-sync.'),
  'subagent-info': notification('subagent-info', {
    event: Type.Optional(enumInput(SUBAGENT_EVENTS, 'subagent-event')),
    name: Type.Optional(Text),
  }, 'SNMP subagent up/down (§11.7).'),
  'commit-failed': notification('commit-failed', {
    event: Type.Optional(enumInput(COMMIT_FAILED_PROVIDERS, 'data-provider')),
    provider: Type.Optional(enumInput(COMMIT_FAILED_PROVIDERS, 'data-provider')),
    dbname: Type.Optional(Datastore),
    db: Type.Optional(Datastore),
    addr: Type.Optional(IpAddress),
    port: Type.Optional(Port),
    daemon_name: Type.Optional(Text),
  }, 'A data provider failed a commit (§11.8).'),
  snmpa: notification('snmpa', {
    event: Type.Optional(enumInput(SNMP_PDU_TYPES, 'snmp-pdu-type')),
    request_id: Type.Optional(Type.Integer()),
    addr: Type.Optional(IpAddress),
    port: Type.Optional(Port),
    error_status: Type.Optional(Type.Integer()),
    error_index: Type.Optional(Type.Integer()),
    vb: Type.Optional(Type.Array(define('snmp-varbind', Type.Object({
      type: Type.Optional(enumInput(SNMP_VARBIND_KINDS, 'snmp-varbind-kind')),
      vartype: Type.Optional(enumInput(SNMP_VARTYPES, 'snmp-vartype')),
      name: Type.Optional(Text),
      oid: Type.Optional(Type.Union([Type.Array(Type.Integer({ minimum: 0 })), Text])),
      cr: Type.Optional(Type.Tuple([Text, Type.Union([Type.Array(Type.Integer({ minimum: 0 })), Text])])),
      val: Type.Optional(Type.Union([Text, Type.Null()])),
    }, { additionalProperties: false })))),
    time_stamp: Type.Optional(Type.Integer()),
    specific_trap: Type.Optional(Type.Integer()),
    generic_trap: Type.Optional(Type.Integer()),
    enterprise: Type.Optional(Type.Union([Type.Array(Type.Integer({ minimum: 0 })), Text])),
  }, 'SNMP agent PDU (§11.9).'),
  'forward-info': notification('forward-info', {
    event: Type.Optional(enumInput(FORWARD_EVENTS, 'forward-event')),
    target: Type.Optional(Text),
    uinfo: Type.Optional(UserInfo),
  }, 'Proxy forwarding up/down/failed (§11.10).'),
  netconf: notification('netconf', syslogFields, 'NETCONF trace log line (§11.2).'),
  devel: notification('devel', syslogFields, 'Developer log line (§11.2).'),
  heartbeat: notification('heartbeat', {}, 'A heartbeat now, besides the periodic ones (§11.11, §13).'),
  'confirmed-commit': notification('confirmed-commit', {
    event: Type.Optional(enumInput(CONFIRMED_COMMIT_EVENTS, 'confirmed-commit-event')),
    timeout: Type.Optional(Type.Integer({ minimum: 0 })),
    uinfo: Type.Optional(UserInfo),
  }, 'Confirmed commit started, confirmed or aborted (§11.12).'),
  upgrade: notification('upgrade', { event: enumInput(UPGRADE_EVENTS, 'upgrade-event') }, 'In-service upgrade phase (§11.13).'),
  'commit-progress': notification('commit-progress', progressFields, 'Transaction progress event (§11.14).'),
  'health-check': notification('health-check', {}, 'A health check now, besides the periodic ones (§11.11, §13).'),
  'stream-event': notification('stream-event', {
    event: Type.Optional(enumInput(STREAM_EVENTS, 'stream-event-kind')),
    event_time: Type.Optional(DateTimeValue),
    values: Type.Optional(Type.Array(TagValue)),
    error: Type.Optional(Text),
  }, 'A raw stream event (§11.15); the stream step, which keeps history and replay, is usually what you want.'),
  'package-reload': notification('package-reload', {}, 'Packages were reloaded (§11.11).'),
  'cq-progress': notification('cq-progress', {
    event: Type.Optional(enumInput(CQ_PROGRESS_EVENTS, 'cq-progress-event')),
    timestamp: Type.Optional(DateTimeValue),
    cq_id: Type.Optional(Type.Integer({ minimum: 0 })),
    cq_tag: Type.Optional(Text),
    completed_devices: Type.Optional(Devices),
    transient_devices: Type.Optional(Devices),
    failed_devices: Type.Optional(Type.Array(Type.Object({ device: Text, reason: Text }, { additionalProperties: false }))),
    completed_services: Type.Optional(Type.Array(Type.Object({ service: Text, completed_devices: Devices }, { additionalProperties: false }))),
    failed_services: Type.Optional(
      Type.Array(Type.Object({ service: Text, completed_devices: Devices, failed_devices: Devices }, { additionalProperties: false })),
    ),
    trace_id: Type.Optional(Text),
  }, 'Commit queue progress (§11.16).'),
  'reopen-logs': notification('reopen-logs', {}, 'Log files are about to be reopened (§11.11).'),
  progress: notification('progress', progressFields, 'Transaction or action progress event (§11.14).'),
  'call-home-info': notification('call-home-info', {
    event: Type.Optional(enumInput(CALL_HOME_EVENTS, 'call-home-event')),
    addr: Type.Optional(IpAddress),
    port: Type.Optional(Port),
    ssh_host_key: Type.Optional(Text),
    ssh_key_alg: Type.Optional(Text),
    device: Type.Optional(Text),
  }, 'A device called home (§11.17).'),
  jsonrpc: notification('jsonrpc', syslogFields, 'JSON-RPC log line (§11.2).'),
  webui: notification('webui', syslogFields, 'Web UI access log line (§11.2).'),
  'audit-network': notification('audit-network', {
    usid: Type.Optional(Usid),
    tid: Type.Optional(Type.Integer()),
    user: Type.Optional(Text),
    device: Type.Optional(Text),
    trace_id: Type.Optional(Text),
    config: Type.Optional(Text),
  }, 'Config pushed to a device (§11.18, NSO62.md; profiles nso62, nso66); acked with {Usid, audit_network_sync} under audit-network-sync.'),
  compaction: notification('compaction', {
    dbfile: Type.Optional(enumInput(COMPACTION_DBFILES, 'compaction-dbfile')),
    event: Type.Optional(enumInput(COMPACTION_EVENTS, 'compaction-event')),
    fsize_start: Type.Optional(Type.Integer({ minimum: 0 })),
    fsize_end: Type.Optional(Type.Integer({ minimum: 0 })),
    fsize_last: Type.Optional(Type.Integer({ minimum: 0 })),
    time_start: Type.Optional(MicrosTimestamp),
    duration: Type.Optional(Type.Integer({ minimum: 0 })),
    ntrans: Type.Optional(Type.Integer({ minimum: 0 })),
  }, 'CDB compaction finished (§11.19, NSO62.md; profiles nso62, nso66).'),
} satisfies Record<NotificationType, TSchema>;

for (const type of NOTIFICATION_TYPES) define(`emit-${type}`, emitSchemas[type]);

// ---------------------------------------------------------------------------------------------
// Step bodies
// ---------------------------------------------------------------------------------------------

const StepRef = ref<StepDocument>('step');

const ackKey = {
  th: Type.Optional(Type.Integer({ description: 'Expect {TH, done} (commit-diff, PROTOCOL.md §12.1).' })),
  usid: Type.Optional(Type.Integer({ description: 'Expect {Usid, synced} (audit), or {Usid, audit_network_sync} with of: audit-network.' })),
  of: Type.Optional(names(['audit', 'audit-network'], { description: 'Which usid handshake: audit (default) or audit-network.' })),
  ha: Type.Optional(Type.Literal(true, { description: 'Expect ha_synced (HA info under ha-info-sync).' })),
};

const StreamEvent = define(
  'stream-event',
  Type.Object(
    {
      time: Type.Optional(DateTimeValue),
      values: Type.Array(TagValue, { description: 'The notification content as a tag-value list (PROTOCOL.md §9.5).' }),
    },
    { additionalProperties: false },
  ),
);

function faultVariant<const K extends string, P extends Record<string, TSchema>>(kind: K, properties: P, description: string) {
  return Type.Object({ kind: Type.Literal(kind), target: Type.Optional(Selector), ...properties }, { additionalProperties: false, description });
}

const faultSchemas = {
  stall: faultVariant('stall', { for: Duration }, 'Stop writing to the subscriber for a while; what the server sends meanwhile is delivered afterwards.'),
  close: faultVariant('close', {}, 'Close the connection (pending acks are released, PROTOCOL.md §12.3).'),
  garbage: faultVariant('garbage', {
    bytes: Type.Optional(Type.String({ pattern: '^(?:[0-9a-fA-F]{2})+$', title: 'hex-bytes', description: 'Hex bytes to write.' })),
    length: Type.Optional(Type.Integer({ minimum: 1, description: 'How many random (seeded) bytes to write.' })),
  }, 'Write bytes that are not a frame.'),
  'truncate-frame': faultVariant('truncate-frame', {}, 'Cut the next frame short, then close the connection.'),
  'slow-write': faultVariant('slow-write', {
    'chunk-bytes': Type.Optional(Type.Integer({ minimum: 1, description: 'Bytes per write (default 1).' })),
    interval: Type.Optional(Duration),
    for: Type.Optional(Duration),
  }, 'Write in small chunks with pauses.'),
} satisfies Record<(typeof FAULT_KINDS)[number], TSchema>;

for (const kind of FAULT_KINDS) define(`fault-${kind}`, faultSchemas[kind]);

const bodies = {
  'await-subscribers': Type.Object(
    {
      count: Type.Optional(Type.Integer({ minimum: 1, description: 'How many subscribers (default 1).' })),
      mask: Type.Optional(Type.Array(MaskNameRef, { description: 'Each must have subscribed to all of these.' })),
      within: Type.Optional(Duration),
    },
    { additionalProperties: false, description: 'Wait until enough subscribers are connected (default: 1 within 10s).' },
  ),
  emit: Type.Union(
    NOTIFICATION_TYPES.map((t) => ref(`emit-${t}`)),
    { title: 'notification', description: 'Send a notification to every subscriber of its type: type plus its fields (PROTOCOL.md §11).' },
  ) as never as TUnsafe<Static<(typeof emitSchemas)[NotificationType]>>,
  'emit-raw': Type.Object(
    {
      hex: Type.String({
        pattern: '^(?:[0-9a-fA-F]{2})+$',
        title: 'hex-bytes',
        description: "The bytes to write, as hex digits in pairs (a frame's 4-byte length prefix included).",
      }),
      to: Type.Optional(Selector),
    },
    {
      additionalProperties: false,
      description: 'Write bytes to subscribers exactly as given (default: every subscriber), for frames a notification cannot express; what nso-mock record writes for a frame it could not decode.',
    },
  ),
  'expect-ack': Type.Object(
    { ...ackKey, within: Type.Optional(Duration), from: Type.Optional(Selector) },
    { additionalProperties: false, description: 'Every recipient of the matching notification acks within the limit (measured from the emit).' },
  ),
  'expect-no-ack': Type.Object(
    { ...ackKey, for: Type.Optional(Duration), from: Type.Optional(Selector) },
    { additionalProperties: false, description: 'No matching ack arrives during the time given (default 1s).' },
  ),
  wait: Type.Unsafe<string | number>(Type.Ref('#/definitions/duration', { description: 'Let time pass.' })),
  repeat: Type.Object({ times: Type.Integer({ minimum: 1 }), steps: Type.Array(StepRef) }, { additionalProperties: false, description: 'Run the steps several times.' }),
  sequence: Type.Array(StepRef, { description: 'Run the steps one after the other (useful inside parallel).' }),
  parallel: Type.Array(StepRef, { minItems: 1, description: 'Run the steps at the same time; done when all are.' }),
  stream: Type.Object(
    {
      name: Type.String({ minLength: 1 }),
      replay: Type.Optional(Type.Boolean({ description: 'Whether the stream keeps a replay log (default true).' })),
      'replay-from': Type.Optional(
        Type.Unsafe<DateTimeDocument>(
          Type.Ref('#/definitions/date-time', {
            description: 'Where the replay log starts (may be in the past, not in the future); an earlier replay request gets replay_failed. Default: when the stream is first defined.',
          }),
        ),
      ),
      history: Type.Optional(
        Type.Array(StreamEvent, { description: 'Past events put in the replay log (time between replay-from and now, default now); replayed, never sent live.' }),
      ),
      events: Type.Optional(Type.Array(StreamEvent, { description: 'Events published live by this step.' })),
      every: Type.Optional(Duration),
      'tag-names': Type.Optional(
        Type.Record(Type.String({ pattern: '^(0|[1-9][0-9]{0,9})$' }), Type.String({ minLength: 1 }), {
          additionalProperties: false,
          description:
            'Local names of hashed tags (hash in decimal: YANG node name) for the XPath filters of subscribers (PROTOCOL.md §8.1, §14); a prefix in a filter matches any namespace. Kept by later steps without it.',
        }),
      ),
    },
    { additionalProperties: false, description: 'Define or feed a named notification stream with history and replay (PROTOCOL.md §14).' },
  ),
  fuzz: Type.Object(
    {
      types: Type.Array(NotificationTypeRef, { minItems: 1 }),
      count: Type.Integer({ minimum: 1 }),
      seed: Type.Optional(Type.Integer()),
      every: Type.Optional(Duration),
    },
    { additionalProperties: false, description: 'Emit generated notifications (fast-check, seeded).' },
  ),
  fault: Type.Union(
    FAULT_KINDS.map((k) => ref(`fault-${k}`)),
    { title: 'fault', description: 'Break connections on purpose.' },
  ) as never as TUnsafe<Static<(typeof faultSchemas)[(typeof FAULT_KINDS)[number]]>>,
  heartbeat: names(['hang', 'resume'], {
    description: 'Stop (hang) or restart (resume) the periodic heartbeats and health checks of every subscriber (PROTOCOL.md §13).',
  }),
  'health-check': names(['hang', 'resume'], {
    description: 'Same as heartbeat: the server pauses and resumes both periodic kinds together (PROTOCOL.md §13).',
  }),
  'expect-violation': Type.Object(
    { code: names(violationCodes), within: Type.Optional(Duration), from: Type.Optional(Selector) },
    { additionalProperties: false, description: 'A client makes this protocol mistake (default within 1s); it then does not fail the run.' },
  ),
  log: Type.String({ description: 'Write a line to the run log.' }),
} satisfies Record<StepKind, TSchema>;

/** The wrapper of one step kind: `{ name?, <kind>: body }`. */
function stepWrapper(kind: string, body: TSchema): TSchema {
  const bodyRef = define(kind, body);
  return Type.Object({ name: Type.Optional(Type.String({ description: 'A label for logs and reports.' })), [kind]: bodyRef }, {
    additionalProperties: false,
    required: [kind],
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
  });
}

for (const kind of STEP_KINDS) define(`step-${kind}`, stepWrapper(kind, bodies[kind]));
for (const extension of extensionStepKinds) {
  define(`step-${extension.kind}`, stepWrapper(extension.kind, { ...extension.schema, description: extension.description }));
}

define(
  'step',
  Type.Union([...STEP_KINDS, ...extensionStepKinds.map((e) => e.kind)].map((k) => ref(`step-${k}`)), {
    title: 'step',
    description: 'One step: a mapping with exactly one step kind (and an optional name).',
  }),
);

const Defaults = define(
  'defaults',
  Type.Object(
    { uinfo: Type.Optional(UserInfo), usid: Type.Optional(Usid) },
    { additionalProperties: false, description: 'Defaults of every emitted notification.' },
  ),
);

/** A size in bytes (a whole number; the option's name says the unit). */
function byteLimit(minimum: 0 | 1, description: string): ReturnType<typeof Type.Integer> {
  return Type.Integer({ minimum, maximum: Number.MAX_SAFE_INTEGER, description });
}

const Options = define(
  'options',
  Type.Object(
    {
      strict: Type.Optional(Type.Boolean({ description: 'Strict server (PROTOCOL.md §17): close on questionable input.' })),
      'event-reply-timeout': Type.Optional(Duration),
      'write-stall-timeout': Type.Optional(Duration),
      'input-stall-timeout': Type.Optional(Duration),
      'max-frame-bytes': Type.Optional(byteLimit(1, 'Largest client frame once a connection has subscribed (PROTOCOL.md §5, §17). Default 16 MiB (16777216).')),
      'max-subscribe-frame-bytes': Type.Optional(
        byteLimit(1, 'Largest client frame before the connection has subscribed; at most max-frame-bytes. Default 32 KiB (32768).'),
      ),
      'max-decoded-bytes': Type.Optional(
        byteLimit(1, 'Decode budget of one client frame after the subscription, in estimated bytes of the decoded term. Default 1 MiB (1048576).'),
      ),
      'max-subscribe-decoded-bytes': Type.Optional(byteLimit(1, 'Decode budget of one client frame before the subscription. Default 256 KiB (262144).')),
      'journal-max-bytes': Type.Optional(byteLimit(0, 'Estimated bytes the journal may hold; the oldest entries beyond it are dropped and counted. Default 64 MiB (67108864).')),
      'ack-timeout': Type.Optional(Duration),
      'fail-fast': Type.Optional(Type.Boolean({ description: 'Stop at the first failed step (default true).' })),
      'require-acks': Type.Optional(Type.Boolean({ description: 'At the end, every ack still owed must arrive within ack-timeout (default true).' })),
    },
    { additionalProperties: false, description: 'Server behaviour and player policy.' },
  ),
);

const Root = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1, description: 'What the scenario shows; used in reports.' }),
    description: Type.Optional(Type.String()),
    profile: Type.Optional(
      names(PROFILE_SETTINGS, {
        description:
          "Layout profile (PROTOCOL.md §0.4, §16; NSO62.md). Default auto: each connection gets its client's (protocol 77: nso57, 82: nso62). A profile name forces it on every connection; nso6x is a deprecated alias of nso66.",
      }),
    ),
    seed: Type.Optional(Type.Integer({ description: 'Seed of every random choice (fuzz, garbage bytes); default: chosen and reported.' })),
    include: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Scenario files (relative paths) whose defaults, options and steps come first.' })),
    defaults: Type.Optional(Defaults),
    options: Type.Optional(Options),
    steps: Type.Optional(Type.Array(StepRef)),
  },
  { additionalProperties: false },
);

// Extension settings: one top-level key each (steps/extensions.ts).
for (const extension of scenarioExtensions) {
  if (extension.key === undefined || extension.config === undefined) continue;
  const description = extension.configDescription ?? `Settings of the ${extension.name} extension.`;
  (Root.properties as Record<string, TSchema>)[extension.key] = Type.Optional(define(`config-${extension.key}`, { ...extension.config, description }));
}

// ---------------------------------------------------------------------------------------------
// The JSON Schema
// ---------------------------------------------------------------------------------------------

/** A JSON Schema document (plain JSON). */
export type JsonSchemaDocument = { readonly [key: string]: unknown };

/**
 * Builds the JSON Schema of the scenario format (draft-07; editors such as the YAML language
 * server use it for completion). Deterministic: the same source gives byte-identical JSON.
 * @example
 *   writeFileSync('scenario.schema.json', JSON.stringify(buildScenarioJsonSchema(), null, 2) + '\n');
 */
export function buildScenarioJsonSchema(): JsonSchemaDocument {
  // JSON round trip: drops TypeBox's symbol keys and shares no objects with the definitions.
  return JSON.parse(
    JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: SCENARIO_SCHEMA_ID,
      title: 'nso-mock scenario',
      description: 'A timeline that drives the fake NSO event-notification server. See docs/scenario-format.md.',
      ...Root,
      definitions,
    }),
  ) as JsonSchemaDocument;
}

// ---------------------------------------------------------------------------------------------
// Compile-time checks: the document types of scenario.ts are what the schema accepts.
// ---------------------------------------------------------------------------------------------

type Assignable<A, B> = [A] extends [B] ? true : false;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only when `A` is assignable to `B` (a no-op at run time). */
function typeCheck<A, B>(ok: Assignable<A, B>): void {
  void ok;
}
/** Compiles only when `A` and `B` are assignable to each other. */
function sameType<A, B>(ok: Same<A, B>): void {
  void ok;
}

type EmitStatic = Static<(typeof emitSchemas)[NotificationType]>;
// Every per-type schema accepts only what NotificationInput (plus the step options) allows.
typeCheck<EmitStatic, NotificationInput & EmitStepOptions>(true);
typeCheck<Static<typeof TagValue>, TagValueInput>(true);
sameType<Static<(typeof bodies)['await-subscribers']>, AwaitSubscribersBody>(true);
sameType<Static<(typeof bodies)['emit-raw']>, EmitRawBody>(true);
sameType<Static<(typeof bodies)['expect-ack']>, ExpectAckBody>(true);
sameType<Static<(typeof bodies)['expect-no-ack']>, ExpectNoAckBody>(true);
sameType<Static<(typeof bodies)['repeat']>, RepeatBody>(true);
sameType<Static<(typeof bodies)['fuzz']>, FuzzBody>(true);
sameType<Static<(typeof bodies)['fault']>, FaultBody>(true);
sameType<Static<(typeof bodies)['expect-violation']>, ExpectViolationBody>(true);
sameType<Static<typeof Selector>, SubscriberSelector>(true);
sameType<Static<typeof DateTimeValue>, DateTimeDocument>(true);
typeCheck<Static<typeof StreamEvent>, StreamEventDocument>(true);
typeCheck<Static<(typeof bodies)['stream']>, StreamBody>(true);
typeCheck<Static<typeof Defaults>, ScenarioDefaults>(true);
sameType<Static<typeof Options>, ScenarioOptionsDocument>(true);
typeCheck<Static<typeof Root>, ScenarioDocument>(true);
