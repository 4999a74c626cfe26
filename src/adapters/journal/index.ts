export { JsonlJournal, parseJournal } from './jsonl-journal.js';
export { MemoryJournal } from './memory-journal.js';
