// Makes a roster home with its embedded database migrated and the queue's schema in place (see
// embedded-template.ts): node make-embedded-home.ts <home>
import { startQueue } from '../../src/engine/queue.ts';
import { openDatabase } from '../../src/store/open.ts';

const home = process.argv[2];
if (!home) throw new Error('usage: make-embedded-home.ts <home>');
const db = await openDatabase({ home });
const boss = await startQueue(db);
await boss.stop({ graceful: false, close: false });
await db.close();
