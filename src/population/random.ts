// A small seeded generator (mulberry32 over a hash of the inputs) for the choices the
// population makes; faker itself is seeded per person for names and addresses.
import type { Random } from './variation.js';

export function hashSeed(...parts: (number | string)[]): number {
  let h = 2166136261 >>> 0;
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 16777619) >>> 0;
    }
    h ^= 0x7c; // separator
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}

export function seededRandom(...parts: (number | string)[]): Random {
  let state = hashSeed(...parts) || 1;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
