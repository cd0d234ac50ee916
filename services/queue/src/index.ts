export * from './blob-store.ts';
export * from './config.ts';
export * from './connection.ts';
export * from './envelope.ts';
export * from './names.ts';
export * from './streams.ts';
