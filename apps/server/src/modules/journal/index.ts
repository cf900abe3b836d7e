export { addJournalEvents, appendEvents, type JournalEvent } from './append-events.ts';
export { sealJournal, verifyJournalSeal, type SealVerification } from './journal-seal.ts';
export { appendAnchor, journalHead, readAnchors, type JournalAnchor } from './journal-anchor.ts';
