// The public surface of the record layer (the CLI imports only this). Explicit list.
export { startRecorder, type Recorder, type RecorderOptions, type RecorderLog, type UpstreamAddress } from './proxy.js';
export { Recording, checkEmits, clientTypeName, type BuildOptions, type BuiltRecording, type RecordingContext, type RecordTransport, type ClosedBy } from './recording.js';
export { parseRedactRule, redactValue, type RedactRule } from './redact.js';
export { renderRecording, toYaml, type RenderOptions, type RenderedRecording } from './write.js';
