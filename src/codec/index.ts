// The public surface of the codec (`nso-mock/codec`). Explicit list: nothing is exported by accident.
export * from './tags.js';
export * from './errors.js';
export * from './term.js';
