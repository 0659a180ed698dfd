import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** A queued message as the journal keeps it. */
export interface StoredMessage {
  id: string;
  body: string;
  receiveCount: number;
  /** When it may be delivered (epoch ms; 0 = at once): a delayed message keeps its due time. */
  visibleAt: number;
  sentAt: number;
  /** Set when the last run was handling it and never said how that ended (a crash, a kill). */
  receivedAt?: number;
}

type Entry =
  | { op: 'put'; id: string; body: string; receiveCount: number; visibleAt: number; sentAt: number }
  | { op: 'receive'; id: string; receiveCount: number; at: number }
  | { op: 'done'; id: string };

/**
 * A local queue's messages on disk, so that they outlive the process as SQS's do: an append-only
 * JSON-lines file where every message is written (`put`) before `send` returns, each delivery is
 * noted (`receive`), and an acknowledgement (the handler succeeded, or the message went to the
 * dead-letter list) closes it (`done`). Writes are synchronous (no fsync: a crash of the process
 * loses nothing, a power cut may lose the last lines). Replaying the file gives the messages still
 * owed; it is rewritten with only those at boot, emptied whenever the queue is idle, and compacted
 * when spent lines pile up.
 */
export class QueueJournal {
  private fd: number | undefined;
  /** Lines written since the file was last rewritten. */
  lines = 0;

  constructor(readonly file: string) {}

  /** The messages the last run left: sent or put back, and not done. A torn last line is skipped. */
  read(): StoredMessage[] {
    if (!existsSync(this.file)) return [];
    const live = new Map<string, StoredMessage>();
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      let e: Entry;
      try {
        e = JSON.parse(line) as Entry;
      } catch {
        continue;
      }
      if (e.op === 'put') {
        live.set(e.id, {
          id: e.id,
          body: e.body,
          receiveCount: e.receiveCount,
          visibleAt: e.visibleAt,
          sentAt: e.sentAt,
        });
      } else if (e.op === 'receive') {
        const m = live.get(e.id);
        if (m) Object.assign(m, { receiveCount: e.receiveCount, receivedAt: e.at });
      } else if (e.op === 'done') live.delete(e.id);
    }
    return [...live.values()];
  }

  /** Replaces the file with just these messages (atomically: a new file renamed over the old one). */
  rewrite(messages: StoredMessage[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const entries: Entry[] = [];
    const fd = openSync(tmp, 'w');
    try {
      for (const m of messages) {
        entries.push({
          op: 'put',
          id: m.id,
          body: m.body,
          receiveCount: m.receiveCount,
          visibleAt: m.visibleAt,
          sentAt: m.sentAt,
        });
        if (m.receivedAt !== undefined)
          entries.push({ op: 'receive', id: m.id, receiveCount: m.receiveCount, at: m.receivedAt });
      }
      if (entries.length) writeSync(fd, lines(entries));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
    this.lines = entries.length;
  }

  /** Empties the file: nothing is owed. */
  clear(): void {
    if (this.fd === undefined || this.lines === 0) return;
    ftruncateSync(this.fd, 0);
    this.lines = 0;
  }

  put(messages: StoredMessage[]): void {
    this.append(
      messages.map((m) => ({
        op: 'put',
        id: m.id,
        body: m.body,
        receiveCount: m.receiveCount,
        visibleAt: m.visibleAt,
        sentAt: m.sentAt,
      })),
    );
  }

  received(messages: StoredMessage[], at: number): void {
    this.append(messages.map((m) => ({ op: 'receive', id: m.id, receiveCount: m.receiveCount, at })));
  }

  done(ids: string[]): void {
    this.append(ids.map((id) => ({ op: 'done', id })));
  }

  /** After this, writes are dropped: a handler still running after the stack stopped changes nothing. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(entries: Entry[]): void {
    if (this.fd === undefined || entries.length === 0) return;
    writeSync(this.fd, lines(entries));
    this.lines += entries.length;
  }
}

const lines = (entries: Entry[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join('');
