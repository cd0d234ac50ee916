export * from './domains.ts';
export * from './mail-store.ts';
export * from './messages.ts';
export * from './pools.ts';
export * from './schema.ts';
export * from './users.ts';
