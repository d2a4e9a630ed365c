// The public surface of the harness (the package root re-exports it). Explicit list.
export { startNsoMock, type StartNsoMockOptions, type RunningNsoMock, type PlayOptions } from './start-nso-mock.js';
