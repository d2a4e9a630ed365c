// The public surface of the NCMP event family (ONAP CPS-NCMP). Explicit list: nothing is exported by accident.
export { NcmpError, type NcmpErrorDetails } from './errors.js';
export { javaSerializeString, javaDeserializeString, encodeModifiedUtf8 } from './java-serialized.js';
export { murmur2, toPositive, partitionForKey } from './partitioner.js';
export { javaStringHash, javaHashMapOrder, javaHashMapObject } from './java-hash-order.js';
export { formatEventTime, formatCloudEventTime, parseEventTime, EVENT_TIME_PATTERN } from './event-time.js';
export { createIdSource, deterministicUuid, type IdSource, type IdNamespace } from './ids.js';
export {
  RecordLog,
  RecordStore,
  recordJsonLine,
  recordToJson,
  headerBytesFromJson,
  assertTopicName,
  TOPIC_NAME_PATTERN,
  type NcmpHeader,
  type NcmpRecord,
  type NcmpRecordInput,
  type NcmpRecordListener,
  type NcmpRecordJson,
  type NcmpHeaderJson,
  type PartitionConfig,
  type TopicInfo,
} from './record.js';
export {
  applyCmHandleTrigger,
  cmHandleTriggerNames,
  cmHandleTriggersFrom,
  type CmHandle,
  type CmHandleState,
  type CmHandleTrigger,
  type CmHandleTriggerName,
  type CmHandleTransition,
  type CmHandleRejection,
  type CmHandleTriggerResult,
  type CmHandleInventory,
  type LockReason,
} from './cm-handle-state.js';
export {
  buildLcmEvent,
  lcmEventKind,
  lcmHeaders,
  LCM_EVENT_SCHEMA,
  LCM_EVENT_JAVA_TYPE,
  type LcmSchemaVersion,
  type LcmEventKind,
  type LcmEnvelope,
  type LcmEvent,
  type LcmEventV1,
  type LcmEventV2,
  type LcmPayloadV1,
  type LcmPayloadV2,
  type LcmValuesV1,
  type LcmEventContext,
} from './lcm-event.js';
export {
  buildDmiAsyncEvent,
  buildNcmpAsyncEvent,
  buildDataOperationEvent,
  dataOperationHeaders,
  typeIdHeader,
  LEGACY_ASYNC,
  DATA_OPERATION_EVENT,
  NCMP_RESPONSE_STATUS,
  type DmiAsyncRequestResponseEvent,
  type NcmpAsyncRequestResponseEvent,
  type DmiAsyncEventInput,
  type DataOperationEvent,
  type DataOperationResponse,
  type DataOperationResponseInput,
  type DataOperationAttributes,
} from './async-response.js';
export { checkNcmpSchema, assertNcmpSchema, ncmpSchema, ncmpSchemaNames, type NcmpSchemaName } from './schemas.js';
export {
  ncmpCmHandleStepSchema,
  ncmpAsyncResponseStepSchema,
  validateNcmpSteps,
  assertValidNcmpSteps,
  cmHandleTriggerOf,
  NCMP_STEP_KEYS,
  ncmpStepProblems,
  type NcmpFieldProblem,
  type NcmpJsonSchema,
  type ValidateNcmpStepsOptions,
  type NcmpCmHandleStep,
  type NcmpAsyncResponseStep,
  type NcmpLegacyAsyncResponseStep,
  type NcmpDataOperationResponseStep,
  type NcmpStepProblem,
} from './step-schemas.js';
export { createNcmpEngine, DEFAULT_NCMP_TOPICS, type NcmpEngine, type NcmpEngineOptions, type NcmpPublishOptions, type NcmpClock, type NcmpTopics } from './ncmp-engine.js';
export { startNcmpFeed, teeToFile, type NcmpFeed, type NcmpFeedOptions } from './feed-server.js';
export { attachKafkaPublisher, toKafkaHeaders, toKafkaMessage, type KafkaPublisher, type KafkaPublisherOptions, type KafkaLogLevelName } from './kafka-publisher.js';
export {
  NCMP_SCENARIO_KEY,
  ncmpSettingsSchema,
  ncmpEngineOptions,
  ncmpStepTime,
  scenarioUsesNcmp,
  ncmpTransitionProblems,
  ncmpRunReport,
  type NcmpScenarioSettings,
  type NcmpRunContext,
  type NcmpStepLike,
  type NcmpScenarioLike,
  type NcmpListProblem,
  type NcmpTopicReport,
  type NcmpRunReport,
} from './scenario-support.js';
