export * from './app.ts';
export * from './config.ts';
export * from './errors.ts';
export * from './services.ts';
