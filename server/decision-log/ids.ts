/**
 * Decision ids: UUID version 7 (RFC 9562) as lower-case text. The first 48 bits are the Unix time
 * in milliseconds, then the version nibble, a 12-bit counter and 62 random bits. Within one
 * millisecond the counter goes up (it starts at a random value below 2,048), so ids made by this
 * process sort by time as text; a clock that goes back is held at the last millisecond used.
 *
 * Generated on the decision's hot path: no allocation beyond the string, random bytes drawn from
 * a pooled buffer.
 */
import { randomFillSync } from "node:crypto";

const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolAt = POOL_SIZE;

function randomByte(): number {
  if (poolAt === POOL_SIZE) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

let lastMs = -1;
let counter = 0;

/** A new UUID version 7, later (as text) than every id this process made before. */
export function newDecisionId(now: number = Date.now()): string {
  let ms = Math.floor(now);
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // 4,096 ids in one millisecond: borrow the next millisecond (ids stay ordered).
      ms = lastMs + 1;
      counter = ((randomByte() << 8) | randomByte()) & 0x7ff;
    }
  } else {
    counter = ((randomByte() << 8) | randomByte()) & 0x7ff;
  }
  lastMs = ms;
  const time = ms.toString(16).padStart(12, "0");
  const variant = 0x80 | (randomByte() & 0x3f);
  return (
    `${time.slice(0, 8)}-${time.slice(8, 12)}-7${(counter >> 8).toString(16)}${HEX[counter & 0xff]}-` +
    `${HEX[variant]}${HEX[randomByte()]}-` +
    `${HEX[randomByte()]}${HEX[randomByte()]}${HEX[randomByte()]}${HEX[randomByte()]}${HEX[randomByte()]}${HEX[randomByte()]}`
  );
}

/** The text form of a UUID version 7 (lower or upper case). */
export const DECISION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isDecisionId(text: string): boolean {
  return DECISION_ID_PATTERN.test(text);
}

/** The millisecond (Unix epoch) a decision id was made at; undefined when the text is not a UUID version 7. */
export function timeOfId(id: string): number | undefined {
  if (!isDecisionId(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
