export { appendEvents, appendEventsSql, journalRow, type JournalEvent } from './append-events.ts';
