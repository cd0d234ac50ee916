export * from './admin-service.ts';
export * from './errors.ts';
export * from './passwords.ts';
