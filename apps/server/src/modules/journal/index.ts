export { appendEvents, type JournalEvent } from './append-events.ts';
